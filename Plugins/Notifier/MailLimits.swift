/// Mailgun's documented limits (REFERENCE §4), checked before anything is sent or written.
public enum MailLimits {
    /// to + cc + bcc.
    public static let maxRecipients = 1_000
    /// All `o:`, `h:`, `v:` and `t:` values together, in bytes.
    public static let maxOptionBytes = 16 * 1024
    /// The whole message: bodies, attachments and headers, in bytes.
    public static let maxMessageBytes = 25 * 1024 * 1024
}
