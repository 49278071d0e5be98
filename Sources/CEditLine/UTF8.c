// UTF-8 <-> wchar_t (UCS-4 on the platforms MeshScript supports), independent of locale,
// so the bytes handed to Swift never depend on the process's LC_CTYPE.
#include "Internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <langinfo.h>

static locale_t utf8Locale = (locale_t)0;
static pthread_once_t utf8Once = PTHREAD_ONCE_INIT;

static int is_utf8(locale_t locale) {
    const char *codeset = nl_langinfo_l(CODESET, locale);
    return codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}

static void make_utf8_locale(void) {
    // The user's own LC_CTYPE when it is UTF-8 (keeps their character widths), else C.UTF-8.
    locale_t candidate = newlocale(LC_CTYPE_MASK, "", (locale_t)0);
    if (candidate != (locale_t)0 && !is_utf8(candidate)) {
        freelocale(candidate);
        candidate = (locale_t)0;
    }
    if (candidate == (locale_t)0)
        candidate = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    utf8Locale = candidate; // kept for the life of the process
}

locale_t meshedit_enter_utf8(void) {
    pthread_once(&utf8Once, make_utf8_locale);
    if (utf8Locale == (locale_t)0)
        return (locale_t)0;
    return uselocale(utf8Locale);
}

void meshedit_leave_utf8(locale_t previous) {
    if (previous != (locale_t)0)
        uselocale(previous);
}

size_t meshedit_utf8_width(wchar_t c) {
    uint32_t u = (uint32_t)c;
    if (u < 0x80) return 1;
    if (u < 0x800) return 2;
    if (u < 0x10000) return 3;
    return 4;
}

static size_t put_utf8(char *out, wchar_t c) {
    uint32_t u = (uint32_t)c;
    if (u > 0x10FFFF || (u >= 0xD800 && u <= 0xDFFF)) u = 0xFFFD;
    if (u < 0x80) { out[0] = (char)u; return 1; }
    if (u < 0x800) {
        out[0] = (char)(0xC0 | (u >> 6));
        out[1] = (char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        out[0] = (char)(0xE0 | (u >> 12));
        out[1] = (char)(0x80 | ((u >> 6) & 0x3F));
        out[2] = (char)(0x80 | (u & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (u >> 18));
    out[1] = (char)(0x80 | ((u >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((u >> 6) & 0x3F));
    out[3] = (char)(0x80 | (u & 0x3F));
    return 4;
}

char *meshedit_utf8_from_wide(const wchar_t *text, size_t count, size_t *length,
                              size_t cursor, size_t *cursorByte) {
    char *out = malloc(count * 4 + 1);
    if (out == NULL) return NULL;
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (cursorByte != NULL && i == cursor) *cursorByte = n;
        n += put_utf8(out + n, text[i]);
    }
    if (cursorByte != NULL && cursor >= count) *cursorByte = n;
    out[n] = '\0';
    if (length != NULL) *length = n;
    return out;
}

wchar_t *meshedit_wide_from_utf8(const char *text) {
    const unsigned char *s = (const unsigned char *)text;
    size_t len = strlen(text);
    wchar_t *out = malloc((len + 1) * sizeof(wchar_t));
    if (out == NULL) return NULL;
    size_t n = 0, i = 0;
    while (i < len) {
        unsigned char b = s[i];
        uint32_t u;
        size_t need;
        if (b < 0x80) { u = b; need = 0; }
        else if (b >= 0xC2 && b <= 0xDF) { u = b & 0x1F; need = 1; }
        else if (b >= 0xE0 && b <= 0xEF) { u = b & 0x0F; need = 2; }
        else if (b >= 0xF0 && b <= 0xF4) { u = b & 0x07; need = 3; }
        else { out[n++] = 0xFFFD; i++; continue; }
        size_t j = 1;
        for (; j <= need && i + j < len && (s[i + j] & 0xC0) == 0x80; j++)
            u = (u << 6) | (s[i + j] & 0x3F);
        if (j <= need) { out[n++] = 0xFFFD; i += j; continue; }
        out[n++] = (wchar_t)u;
        i += need + 1;
    }
    out[n] = L'\0';
    return out;
}
