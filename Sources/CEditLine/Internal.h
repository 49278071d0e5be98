// Helpers shared by the CEditLine sources; not part of the Swift-visible interface.
#ifndef MESHSCRIPT_CEDITLINE_INTERNAL_H
#define MESHSCRIPT_CEDITLINE_INTERNAL_H

#include <locale.h>
#include <stddef.h>
#include <wchar.h>

// libedit converts between wide characters and bytes with the C library's multibyte
// functions, which follow the locale. A Swift program never calls setlocale, so the
// process stays in the "C" locale, where anything outside ASCII is lost. Rather than
// change the process-wide locale from a library, every libedit call runs with a UTF-8
// LC_CTYPE installed for the calling thread only (uselocale), restored afterwards.
locale_t meshedit_enter_utf8(void);
void meshedit_leave_utf8(locale_t previous);

/// Bytes `c` takes in UTF-8.
size_t meshedit_utf8_width(wchar_t c);
/// Encodes `count` wide characters as a malloc'ed, NUL-terminated UTF-8 string. When
/// `cursorByte` is not NULL it receives the byte offset of character index `cursor`.
char *meshedit_utf8_from_wide(const wchar_t *text, size_t count, size_t *length,
                              size_t cursor, size_t *cursorByte);
/// Decodes UTF-8 into a malloc'ed, NUL-terminated wide string; bad bytes become U+FFFD.
wchar_t *meshedit_wide_from_utf8(const char *text);

/// The editor's history (CEditLine.c owns the struct).
struct history;
struct MeshEditor;
struct history *meshedit_history_of(struct MeshEditor *editor);

#endif
