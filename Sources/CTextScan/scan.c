#include "CTextScan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// Stack traces make up most of an export's bytes and almost never need a change: comparing 16
// bytes per instruction finds the rare byte that does at several GB/s, where a loop over bytes
// (or Swift's SIMD types, which do not lower to single instructions) manages a few hundred MB/s.

// What each scan stops at: the bytes XML 1.0 text may not hold (illegal), those element text
// escapes (text) or an attribute value escapes (attribute); those that frame JSON outside
// strings (json_structure), and those that end, escape or break a JSON string (json_string).
enum kind { illegal, text, attribute, json_structure, json_string };

static inline __attribute__((always_inline)) int is_candidate(uint8_t byte, enum kind kind) {
    if (kind == json_structure) return byte == '"' || byte == '{' || byte == '}' || byte == '[' || byte == ']';
    if (kind == json_string) return byte == '"' || byte == '\\' || byte < 0x20;
    if (byte == 0xEF) return 1;
    if (byte < 0x20) {
        if (kind == attribute) return 1;
        if (byte == 0x09 || byte == 0x0A) return 0;
        return byte != 0x0D || kind == text;
    }
    if (kind == illegal) return 0;
    return byte == '&' || byte == '<' || byte == '>' || (kind == attribute && byte == '"');
}

#if defined(__SSE2__)
// `is_candidate` for 16 bytes at once: 0xFF where it holds, 0 elsewhere.
static inline __attribute__((always_inline)) __m128i candidates(__m128i v, enum kind kind) {
    __m128i controls = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
    if (kind == json_structure) {
        __m128i found = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('{')));
        found = _mm_or_si128(found, _mm_cmpeq_epi8(v, _mm_set1_epi8('}')));
        found = _mm_or_si128(found, _mm_cmpeq_epi8(v, _mm_set1_epi8('[')));
        return _mm_or_si128(found, _mm_cmpeq_epi8(v, _mm_set1_epi8(']')));
    }
    if (kind == json_string) {
        __m128i found = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
        return _mm_or_si128(found, controls);
    }
    if (kind != attribute) {
        __m128i allowed = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x09)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x0A)));
        if (kind == illegal) allowed = _mm_or_si128(allowed, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x0D)));
        controls = _mm_andnot_si128(allowed, controls);
    }
    __m128i found = _mm_or_si128(controls, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xEF)));
    if (kind != illegal) {
        found = _mm_or_si128(found, _mm_cmpeq_epi8(v, _mm_set1_epi8('&')));
        found = _mm_or_si128(found, _mm_cmpeq_epi8(v, _mm_set1_epi8('<')));
        found = _mm_or_si128(found, _mm_cmpeq_epi8(v, _mm_set1_epi8('>')));
        if (kind == attribute) found = _mm_or_si128(found, _mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
    }
    return found;
}
#endif

static inline __attribute__((always_inline)) size_t scan(const uint8_t *bytes, size_t count, size_t i, enum kind kind) {
#if defined(__SSE2__)
    for (; i + 16 <= count; i += 16) {
        int mask = _mm_movemask_epi8(candidates(_mm_loadu_si128((const __m128i *)(bytes + i)), kind));
        if (mask != 0) return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#endif
    for (; i < count; i++) {
        if (is_candidate(bytes[i], kind)) return i;
    }
    return count;
}

size_t verdict_scan_xml_illegal(const uint8_t *bytes, size_t count, size_t start) { return scan(bytes, count, start, illegal); }

size_t verdict_scan_xml_text(const uint8_t *bytes, size_t count, size_t start) { return scan(bytes, count, start, text); }

size_t verdict_scan_xml_attribute(const uint8_t *bytes, size_t count, size_t start) { return scan(bytes, count, start, attribute); }

// JSON reports are framed value by value before each is parsed, and their strings (Playwright's
// are tens of MB, mostly string content) read up to the next byte that matters.

size_t verdict_scan_json_structure(const uint8_t *bytes, size_t count, size_t start) {
    return scan(bytes, count, start, json_structure);
}

size_t verdict_scan_json_string(const uint8_t *bytes, size_t count, size_t start) { return scan(bytes, count, start, json_string); }
