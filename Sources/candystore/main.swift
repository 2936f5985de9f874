import Daemon
import Foundation

// `candystore`: the Candystore daemon and its small commands. Everything runs in the Daemon
// module; this file only hands it the arguments and exits with its status.
exit(CandystoreCommand.run(Array(CommandLine.arguments.dropFirst())))
