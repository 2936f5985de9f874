import Foundation
import Testing

@testable import Observability

@Suite struct JSONReaderTests {
    @Test(
        "accepts what JSONSerialization accepts and minifies to an equal value",
        arguments: [
            "{}", "[]", "0", "-0.5e+10", "1E3", "true", "false", "null", #""""#,
            #"{"a": {"b": [1, 2.5, -3e-2, {"c": null}]}, "d": "x y", "e": "\u00e9\n\t\"\\"}"#,
            " \t\n{\n\"k\" : [ true , false ] }\r\n",
            #"["\ud83d\ude00", "\/"]"#,
        ])
    func acceptsValidDocuments(_ text: String) throws {
        let reader = JSONReader(bytes: Array(text.utf8))
        let root = try reader.validate()
        let minified = reader.minified(root)

        let expected = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
        let actual = try JSONSerialization.jsonObject(with: Data(minified), options: .fragmentsAllowed)
        let expectedText = try JSONSerialization.data(withJSONObject: [expected], options: .sortedKeys)
        let actualText = try JSONSerialization.data(withJSONObject: [actual], options: .sortedKeys)
        #expect(expectedText == actualText)
        #expect(!minified.contains(UInt8(ascii: "\n")))
    }

    @Test(
        "rejects malformed documents",
        arguments: [
            "", "{", "}", "[1,]", "{\"a\"}", "{\"a\":}", "{a:1}", "01", "1.", ".5", "-", "1e", "tru", "nul",
            "\"abc", "\"\\u12\"", "[1 2]", "{\"a\":1 \"b\":2}", "\"\u{7}\"", "[]]",
        ])
    func rejectsMalformed(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONReader(bytes: Array(text.utf8)).validate() }
    }

    @Test("members and elements come back in document order with decoded keys")
    func members() throws {
        let reader = JSONReader(bytes: Array(#"{"b\u0061": [1, "two", {}], "a": null}"#.utf8))
        let root = try reader.validate()
        let members = reader.members(of: root)

        #expect(members.map { reader.string($0.key) } == ["ba", "a"])
        #expect(reader.key(members[0].key, equals: "ba"))
        #expect(!reader.key(members[0].key, equals: "b"))
        #expect(reader.key(members[1].key, equals: "a"))
        #expect(members.map(\.value.kind) == [.array, .null])
        let elements = reader.elements(of: members[0].value)
        #expect(elements.map(\.kind) == [.number, .string, .object])
        #expect(reader.string(elements[1]) == "two")
    }

    @Test("visiting members reports the root's and its objects' members, in document order")
    func visitingMembers() throws {
        let text = #"{"id": "x", "source": {"host": "h", "deep": {"skip": 1}}, "list": [{"no": 2}], "n": 3}"#
        let reader = JSONReader(bytes: Array(text.utf8))
        var visited: [(parent: String?, key: String, compact: Bool)] = []
        let (root, compact) = try reader.validate { member in
            visited.append(
                (member.parentKey.map { reader.string($0) }, reader.string(member.member.key), member.isCompact))
        }
        #expect(root.kind == .object && root.range == 0..<text.utf8.count)
        #expect(!compact)
        #expect(visited.map(\.key) == ["id", "host", "deep", "source", "list", "n"])
        #expect(visited.map(\.parent) == [nil, "source", "source", nil, nil, nil])
        // A value is compact when its own text holds no insignificant whitespace.
        #expect(visited.map(\.compact) == [true, true, false, false, false, true])
        // The same document as the plain validation sees it, and the same members of the root.
        #expect(try reader.validate() == root)
        #expect(reader.members(of: root).map { reader.string($0.key) } == ["id", "source", "list", "n"])
    }

    @Test("visiting members stops at the first syntax error and visits nothing for a non-object root")
    func visitingMembersOfBadDocuments() throws {
        let broken = JSONReader(bytes: Array(#"{"a": 1, "b": [}"#.utf8))
        var keys: [String] = []
        #expect(throws: JSONSyntaxError.self) { try broken.validate { keys.append(broken.string($0.member.key)) } }
        #expect(keys == ["a"])
        let array = JSONReader(bytes: Array(#"[{"a":1}]"#.utf8))
        var count = 0
        let (root, compact) = try array.validate { _ in count += 1 }
        #expect(root.kind == .array && compact && count == 0)
    }

    @Test("the first element of an array, or nil for an empty one")
    func firstElement() throws {
        let reader = JSONReader(bytes: Array(#"{"ids": ["first", "second"], "none": [ ]}"#.utf8))
        let members = reader.members(of: try reader.validate())
        let first = try #require(reader.firstElement(of: members[0].value))
        #expect(reader.string(first) == "first")
        #expect(reader.firstElement(of: members[1].value) == nil)
    }

    @Test("long strings: quotes, escapes and control characters are found at every offset", arguments: 0..<20)
    func longStrings(_ offset: Int) throws {
        let padding = String(repeating: "a", count: offset)
        let tail = String(repeating: "é", count: 9)
        let escaped = JSONReader(bytes: Array("[\"\(padding)\\\"\(tail)\\n\"]".utf8))
        let elements = escaped.elements(of: try escaped.validate())
        #expect(escaped.string(elements[0]) == padding + "\"" + tail + "\n")

        let control = Array("[\"\(padding)\u{1F}\(tail)\"]".utf8)
        #expect(throws: JSONSyntaxError.self) { try JSONReader(bytes: control).validate() }
        let unterminated = Array("[\"\(padding)\(tail)".utf8)
        #expect(throws: JSONSyntaxError.self) { try JSONReader(bytes: unterminated).validate() }
    }

    @Test("whitespace inside strings survives minification")
    func minifyKeepsStrings() throws {
        let text = #"{ "a" : " spaced \" out " }"#
        let reader = JSONReader(bytes: Array(text.utf8))
        #expect(String(decoding: reader.minified(try reader.validate()), as: UTF8.self) == #"{"a":" spaced \" out "}"#)
    }
}
