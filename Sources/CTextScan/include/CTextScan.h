#ifndef VERDICT_CTEXTSCAN_H
#define VERDICT_CTEXTSCAN_H

#include <stddef.h>
#include <stdint.h>

/// The first index at or after `start` of a byte that XML 1.0 text may not hold as it is: a
/// control character other than TAB, LF and CR, or 0xEF (which may start U+FFFE or U+FFFF;
/// the caller looks closer). `count` when there is none.
size_t verdict_scan_xml_illegal(const uint8_t *bytes, size_t count, size_t start);

/// Like `verdict_scan_xml_illegal`, for what element text escapes: also & < > and CR.
size_t verdict_scan_xml_text(const uint8_t *bytes, size_t count, size_t start);

/// Like `verdict_scan_xml_text`, for what an attribute value escapes: also " TAB LF.
size_t verdict_scan_xml_attribute(const uint8_t *bytes, size_t count, size_t start);

/// The first index at or after `start` of a byte that frames JSON outside strings: `"` `{` `}`
/// `[` `]`. `count` when there is none.
size_t verdict_scan_json_structure(const uint8_t *bytes, size_t count, size_t start);

/// The first index at or after `start` of a `"`, a `\` or a control character (below 0x20): where
/// a JSON string ends, escapes, or is malformed.
size_t verdict_scan_json_string(const uint8_t *bytes, size_t count, size_t start);

#endif
