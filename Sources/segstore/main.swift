import Foundation

// `segstore`: maintenance commands for a Candystore data directory.
exit(SegstoreCommand.run(Array(CommandLine.arguments.dropFirst())))
