/// The JSON Schema (draft 2020-12) of the `send` payload every `adapter:notifier:*` provider
/// accepts (Mailgun here, the local outbox too), so a caller can swap providers without changing
/// a byte. Self-contained: copy this file into another notifier plugin unchanged.
enum NotifierSendSchema {
    /// The schema as JSON text, for ``CapabilityMethod/inputSchema``.
    static let json = #"""
    {
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "title": "notifier send",
      "type": "object",
      "additionalProperties": false,
      "required": ["to", "subject"],
      "anyOf": [{"required": ["text"]}, {"required": ["html"]}],
      "$defs": {
        "addresses": {
          "oneOf": [
            {"type": "string", "minLength": 1},
            {"type": "array", "items": {"type": "string", "minLength": 1}}
          ]
        },
        "file": {
          "type": "object",
          "additionalProperties": false,
          "required": ["filename", "content_base64"],
          "properties": {
            "filename": {"type": "string", "minLength": 1},
            "content_type": {"type": "string", "default": "application/octet-stream"},
            "content_base64": {"type": "string"}
          }
        }
      },
      "properties": {
        "from": {"type": "string", "description": "sender; optional when the provider's config has a default"},
        "to": {"$ref": "#/$defs/addresses"},
        "cc": {"$ref": "#/$defs/addresses"},
        "bcc": {"$ref": "#/$defs/addresses"},
        "subject": {"type": "string"},
        "text": {"type": "string"},
        "html": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "variables": {"type": "object", "description": "custom variables; non-string values are sent JSON-encoded"},
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        "attachments": {"type": "array", "items": {"$ref": "#/$defs/file"}},
        "inline": {"type": "array", "items": {"$ref": "#/$defs/file"}},
        "options": {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "tracking": {"type": "boolean"},
            "tracking_clicks": {"oneOf": [{"type": "boolean"}, {"enum": ["yes", "no", "htmlonly"]}]},
            "tracking_opens": {"type": "boolean"},
            "deliverytime": {"type": "string", "description": "RFC 2822 date"},
            "require_tls": {"type": "boolean"}
          }
        },
        "test_mode": {"type": "boolean", "description": "accept but do not deliver; overrides the config"}
      }
    }
    """#
}
