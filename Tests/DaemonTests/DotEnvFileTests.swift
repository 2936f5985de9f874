import Daemon
import Testing

@Suite struct DotEnvFileTests {
    private func values(_ text: String) throws -> [String: String] {
        try DotEnvFile(parsing: text, path: ".env").values.mapValues(\.value)
    }

    @Test func readsPlainAssignmentsCommentsAndBlankLines() throws {
        let text = """
            # a comment
            API_PORT=8683

               LOG_LEVEL = DEBUG
            export DATA_DIR=/var/lib/candystore
            EMPTY=
            """
        #expect(
            try values(text) == [
                "API_PORT": "8683", "LOG_LEVEL": "DEBUG", "DATA_DIR": "/var/lib/candystore", "EMPTY": "",
            ])
    }

    @Test func unquotedValuesEndAtACommentAfterWhitespace() throws {
        let parsed = try values("LOG_FORMAT=json # or console\nCOLOR=#fff\nURL=http://h/#frag\nSPACED=  a b  \n")
        #expect(parsed["LOG_FORMAT"] == "json")
        #expect(parsed["COLOR"] == "#fff")
        #expect(parsed["URL"] == "http://h/#frag")
        #expect(parsed["SPACED"] == "a b")
    }

    @Test func singleQuotesAreLiteral() throws {
        #expect(try values(#"A='x # not a comment \n $HOME'"#)["A"] == #"x # not a comment \n $HOME"#)
    }

    @Test func doubleQuotesUnderstandEscapes() throws {
        #expect(try values(#"A="line1\nline2\t\"q\" \\ \d" # trailing comment"#)["A"] == "line1\nline2\t\"q\" \\ \\d")
    }

    @Test func quotedValuesMaySpanLines() throws {
        let file = try DotEnvFile(parsing: "A=\"one\ntwo\"\nB=3\n", path: ".env")
        #expect(file.values["A"]?.value == "one\ntwo")
        #expect(file.values["B"]?.line == 3)
    }

    @Test func windowsLineEndingsAreTolerated() throws {
        #expect(try values("A=1\r\nB=\"2\"\r\n") == ["A": "1", "B": "2"])
    }

    @Test func theLastAssignmentWins() throws {
        let file = try DotEnvFile(parsing: "A=1\nA=2\n", path: ".env")
        #expect(file.values["A"]?.value == "2")
        #expect(file.values["A"]?.line == 2)
    }

    @Test func aKeyNamedExportIsStillAKey() throws {
        #expect(try values("export=yes") == ["export": "yes"])
    }

    @Test(arguments: [
        ("just words", "line 1: expected '=' after just"),
        ("A=1\n=2", "line 2: expected KEY=value"),
        ("A=1\nB=\"open", "line 2: the double quote of B is never closed"),
        ("C='open", "line 1: the single quote of C is never closed"),
        ("D=\"x\" y", "line 1: unexpected text after the closing quote of D"),
        ("9LIVES=1", "line 1: expected KEY=value"),
    ])
    func malformedLinesNameTheLine(text: String, problem: String) {
        #expect {
            _ = try DotEnvFile(parsing: text, path: "/srv/.env")
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.setting == ".env" && error.problem == problem && "\(error)".contains("/srv/.env")
        }
    }
}
