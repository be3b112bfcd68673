import VerdictCore
import VerdictHTML

/// Attachments as a browser can show them: screenshots as images, videos in a player, text as
/// text (see CasePage), anything else (traces, HAR, archives) as a download link. The bytes
/// come through `/api/v1/attachments/{id}`, which redirects to a short-lived link to the bucket.
enum AttachmentViews {
    enum Shown { case image, video, text, download }

    static func shown(_ attachment: AttachmentRecord) -> Shown {
        guard attachment.isStored else { return .download }
        let type = (attachment.contentType ?? MediaType.guess(fileName: attachment.path ?? attachment.name) ?? "").lowercased()
        guard MediaType.showsInline(type) else { return .download }
        if type.hasPrefix("image/") { return .image }
        if type.hasPrefix("video/") { return .video }
        return .text
    }

    static func link(_ attachment: AttachmentRecord) -> URLPath { "/api/v1/attachments/\(attachment.id.text)" }

    /// Small previews for a failure in a list.
    static func thumbnails(_ attachments: [AttachmentRecord]) -> HTML {
        var html: HTML = "<div class=\"attachments\">"
        for attachment in attachments {
            switch shown(attachment) {
            case .image:
                html.append(
                    """
                    <a href="\(link(attachment))"><img src="\(link(attachment))" alt="\(attachment.name)" loading="lazy" \
                    width="240"></a>
                    """)
            default:
                html.append(linkOrPath(attachment))
            }
        }
        html.append("</div>")
        return html
    }

    /// The full view, one figure per attachment; `texts` holds the previews the page read.
    static func figures(_ attachments: [AttachmentRecord], texts: [AttachmentID: AttachmentText]) -> HTML {
        var html: HTML = "<div class=\"attachments\">"
        for attachment in attachments {
            let caption: HTML =
                "<figcaption>\(attachment.name)\(if: attachment.size != nil, " · \(byteCount(attachment.size ?? 0))")</figcaption>"
            switch shown(attachment) {
            case .image:
                html.append(
                    "<figure><a href=\"\(link(attachment))\"><img src=\"\(link(attachment))\" alt=\"\(attachment.name)\" loading=\"lazy\"></a>\(caption)</figure>"
                )
            case .video:
                html.append(
                    """
                    <figure><video controls preload="metadata" src="\(link(attachment))" aria-label="\(attachment.name)"></video>\
                    \(caption)</figure>
                    """)
            case .text:
                if let text = texts[attachment.id] {
                    html.append(
                        """
                        <figure class="log"><pre>\(text.text)</pre>\(caption)\
                        \(if: text.isTruncated, "<p><a href=\"\(link(attachment))\">The whole file</a></p>")</figure>
                        """)
                } else {
                    html.append("<figure>\(linkOrPath(attachment))</figure>")
                }
            case .download:
                html.append("<figure>\(linkOrPath(attachment))\(if: attachment.isStored, caption)</figure>")
            }
        }
        html.append("</div>")
        return html
    }

    static func linkOrPath(_ attachment: AttachmentRecord) -> HTML {
        if attachment.isStored {
            return "<a href=\"\(link(attachment))\" download>⬇ \(attachment.name)</a>"
        }
        return "<span class=\"muted\">\(attachment.name) (not uploaded\(attachment.path.map { ": \($0)" } ?? ""))</span>"
    }

    static func byteCount(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return Format.decimal(Double(bytes) / 1024, maxFractionDigits: 1) + " KB" }
        return Format.decimal(Double(bytes) / 1_048_576, maxFractionDigits: 1) + " MB"
    }
}
