/// One invalid query parameter, reported the way FastAPI reports validation errors so that
/// clients of the replaced service read it unchanged:
/// `{"detail": [{"type": …, "loc": ["query", name], "msg": …, "input": …}]}`.
struct ValidationProblem: Error, Sendable, Hashable {
    /// A machine-readable kind, for example `less_than_equal` or `int_parsing`.
    var type: String
    /// The query parameter at fault.
    var parameter: String
    /// A sentence that says what is wrong and what is accepted.
    var message: String
    /// The value the client sent.
    var input: String?

    /// The 422 body for `problems`.
    static func render(_ problems: [ValidationProblem]) -> [UInt8] {
        var output: [UInt8] = []
        output.append(contentsOf: "{\"detail\":[".utf8)
        for (index, problem) in problems.enumerated() {
            if index > 0 { output.append(0x2C) }
            output.append(0x7B)
            JSONBytes.appendKey("type", to: &output)
            JSONBytes.appendString(problem.type, to: &output)
            output.append(contentsOf: ",\"loc\":[\"query\",".utf8)
            JSONBytes.appendString(problem.parameter, to: &output)
            output.append(contentsOf: "],".utf8)
            JSONBytes.appendKey("msg", to: &output)
            JSONBytes.appendString(problem.message, to: &output)
            output.append(0x2C)
            JSONBytes.appendKey("input", to: &output)
            JSONBytes.appendString(problem.input, to: &output)
            output.append(0x7D)
        }
        output.append(contentsOf: "]}".utf8)
        return output
    }
}
