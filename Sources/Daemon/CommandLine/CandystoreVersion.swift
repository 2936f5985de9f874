/// The version of Candystore, shown by `candystore version` and `GET /health`.
public enum CandystoreVersion {
    /// The release number.
    public static let current = "0.1.0"
}
