#include "CTextScan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// Stack traces make up most of an export's bytes and almost never need a change: comparing 16
// bytes per instruction finds the rare byte that does at several GB/s, where a loop over bytes
// (or Swift's SIMD types, which do not lower to single instructions) manages a few hundred MB/s.

enum kind { illegal, text, attribute };

static inline __attribute__((always_inline)) int is_candidate(uint8_t byte, enum kind kind) {
    if (byte == 0xEF) return 1;
    if (byte < 0x20) {
        if (kind == attribute) return 1;
        if (byte == 0x09 || byte == 0x0A) return 0;
        return byte != 0x0D || kind == text;
    }
    if (kind == illegal) return 0;
    return byte == '&' || byte == '<' || byte == '>' || (kind == attribute && byte == '"');
}

static inline __attribute__((always_inline)) size_t scan(const uint8_t *bytes, size_t count, size_t i, enum kind kind) {
#if defined(__SSE2__)
    const __m128i below_space = _mm_set1_epi8(0x1F);
    for (; i + 16 <= count; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(bytes + i));
        __m128i controls = _mm_cmpeq_epi8(_mm_min_epu8(v, below_space), v);
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
        int mask = _mm_movemask_epi8(found);
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

// JSON reports are framed value by value before each is parsed (Playwright's are tens of MB of
// mostly string content): the same 16-byte comparison finds the next byte that matters.

size_t verdict_scan_json_structure(const uint8_t *bytes, size_t count, size_t i) {
#if defined(__SSE2__)
    for (; i + 16 <= count; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(bytes + i));
        __m128i found = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('{')));
        found = _mm_or_si128(found, _mm_cmpeq_epi8(v, _mm_set1_epi8('}')));
        found = _mm_or_si128(found, _mm_cmpeq_epi8(v, _mm_set1_epi8('[')));
        found = _mm_or_si128(found, _mm_cmpeq_epi8(v, _mm_set1_epi8(']')));
        int mask = _mm_movemask_epi8(found);
        if (mask != 0) return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#endif
    for (; i < count; i++) {
        uint8_t byte = bytes[i];
        if (byte == '"' || byte == '{' || byte == '}' || byte == '[' || byte == ']') return i;
    }
    return count;
}

size_t verdict_scan_json_string(const uint8_t *bytes, size_t count, size_t i) {
#if defined(__SSE2__)
    for (; i + 16 <= count; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(bytes + i));
        __m128i found = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
        found = _mm_or_si128(found, _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v));
        int mask = _mm_movemask_epi8(found);
        if (mask != 0) return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#endif
    for (; i < count; i++) {
        if (bytes[i] == '"' || bytes[i] == '\\' || bytes[i] < 0x20) return i;
    }
    return count;
}
