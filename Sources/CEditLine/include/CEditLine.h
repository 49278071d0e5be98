// CEditLine: the only place MeshScript touches libedit, C variadics (el_set, el_get,
// history) and C globals (stdin, stdout, signal dispositions). Everything here is a
// plain, non-variadic function that Swift can call; MeshREPL's LineEditor and
// InterruptMonitor sit on top of it.
//
// Text crossing this boundary is UTF-8, and every offset is a UTF-8 byte offset.
#ifndef MESHSCRIPT_CEDITLINE_H
#define MESHSCRIPT_CEDITLINE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One libedit instance on the process's standard input and output, with its history.
typedef struct MeshEditor MeshEditor;

/// What `meshedit_read_line` saw.
typedef enum MeshEditStatus {
    MESHEDIT_LINE = 0,          ///< a line was entered; it is in *line (no trailing newline)
    MESHEDIT_INTERRUPTED = 1,   ///< Ctrl-C (SIGINT) cancelled the line being edited
    MESHEDIT_END_OF_INPUT = 2,  ///< Ctrl-D on an empty line, end of file, or a read error
} MeshEditStatus;

/// How libedit should show the line after a completion callback returns.
typedef enum MeshEditCompletionResult {
    MESHEDIT_COMPLETION_REFRESH = 0,    ///< redraw the line (after an insertion, or nothing to do)
    MESHEDIT_COMPLETION_BEEP = 1,       ///< redraw and ring the bell (no or ambiguous completion)
    MESHEDIT_COMPLETION_REDISPLAY = 2,  ///< text was written below the line: redraw prompt and line under it
} MeshEditCompletionResult;

/// Called on Tab with the whole line and the cursor as a byte offset into it.
/// `repeated` is non-zero when the key before this Tab was also Tab. While it runs the
/// callback may call `meshedit_replace_before_cursor`, `meshedit_show_below_line` and
/// `meshedit_terminal_columns` on `editor`, and nothing else.
typedef int (*MeshEditCompletionCallback)(void *context, MeshEditor *editor,
                                          const char *line, size_t length,
                                          size_t cursor, int repeated);

/// Creates an editor on stdin/stdout with emacs bindings and an empty history bounded to
/// `historyLimit` entries (unique consecutive entries). Reads ~/.editrc (as every libedit
/// program does) before MeshScript's own bindings. When TERM is unset, empty or "dumb",
/// editing is turned off: the prompt is printed and the terminal's own line discipline
/// reads the line (no history recall, no completion; Ctrl-C and Ctrl-D still work).
/// Returns NULL when libedit cannot be set up.
MeshEditor *meshedit_open(const char *programName, int historyLimit);
void meshedit_close(MeshEditor *editor);

/// Non-zero when keys are edited by libedit (a terminal that is not "dumb").
int meshedit_editing_enabled(const MeshEditor *editor);

/// Installs (or, with a NULL callback, removes) the Tab completion callback.
void meshedit_set_completion(MeshEditor *editor, MeshEditCompletionCallback callback, void *context);

/// Shows `prompt` and edits one line. On MESHEDIT_LINE, *line is a malloc'ed UTF-8
/// string of *length bytes (NUL-terminated; free it with `meshedit_free`). While this
/// runs, SIGINT is routed to the editor (see the interrupt relay below): Ctrl-C prints
/// "^C" after the line and returns MESHEDIT_INTERRUPTED.
MeshEditStatus meshedit_read_line(MeshEditor *editor, const char *prompt, char **line, size_t *length);
void meshedit_free(void *pointer);

// --- For the completion callback only -------------------------------------------------

/// Deletes the `byteCount` bytes of UTF-8 before the cursor and inserts `text` there.
/// Returns 0, or -1 when the bytes do not end on character boundaries.
int meshedit_replace_before_cursor(MeshEditor *editor, size_t byteCount, const char *text);
/// Writes `text` (which should end with a newline) on the rows below the line being
/// edited, then leaves the terminal where libedit will draw the prompt and line again
/// when the callback returns MESHEDIT_COMPLETION_REDISPLAY.
void meshedit_show_below_line(MeshEditor *editor, const char *text);
/// Width of the output terminal in columns (80 when unknown).
int meshedit_terminal_columns(MeshEditor *editor);
/// Height of the output terminal in rows (24 when unknown).
int meshedit_terminal_rows(MeshEditor *editor);

// --- History ------------------------------------------------------------------------------

/// Appends an entry (multi-line entries are kept whole; empty entries are ignored).
void meshedit_history_add(MeshEditor *editor, const char *entry);
/// Loads a history file written by `meshedit_history_save` into the editor. Returns the
/// number of entries read, or -1 (a missing or unreadable file is not an error to report).
int meshedit_history_load(MeshEditor *editor, const char *path);
/// Merges `entries` (this session's new ones, oldest first) onto what `path` holds now,
/// keeps the newest `limit`, and replaces the file atomically (temporary file in the same
/// directory, then rename), mode 0600. Returns 0 or -1; the file is untouched on failure.
int meshedit_history_save(const char *path, int limit, const char *const *entries, size_t count);
/// Without a working editor: prints the prompt and reads one line from stdin with getline.
MeshEditStatus meshedit_read_plain_line(const char *prompt, char **line, size_t *length);

/// Copies the editor's history, oldest first, into a malloc'ed array of malloc'ed strings.
/// Free with `meshedit_history_free`.
size_t meshedit_history_copy(MeshEditor *editor, char ***entries);
void meshedit_history_free(char **entries, size_t count);

// --- Terminal -------------------------------------------------------------------------------

/// isatty(0) / isatty(1) as 0 or 1.
int meshedit_stdin_is_terminal(void);
int meshedit_stdout_is_terminal(void);

// --- Interrupt relay ----------------------------------------------------------------------
//
// One process-wide SIGINT handler (installed only while some channel is open, the
// previous disposition restored when the last one closes; likewise for SIGWINCH and
// SIGCONT while the line editor's channel is innermost) writes a byte into the pipe of
// the innermost open channel, so exactly one receiver sees each Ctrl-C: while a line is
// being edited that is the editor, otherwise the most recently opened InterruptMonitor.
// The handler only does an atomic load and a write(2). Pipes live in a fixed pool and are
// never closed, so a signal racing a close can never write into a reused descriptor.

/// Bits `meshedit_interrupt_channel_drain` reports besides SIGINTs.
enum {
    MESHEDIT_TERMINAL_RESIZED = 1,    ///< SIGWINCH
    MESHEDIT_TERMINAL_CONTINUED = 2,  ///< SIGCONT (resumed after Ctrl-Z: terminal modes may have changed)
};

/// Opens a channel and makes it the innermost receiver. With `wantsTerminalEvents`,
/// SIGWINCH and SIGCONT are also relayed to it while it is innermost (the line editor).
/// Unblocks those signals in the calling thread (a process may inherit a mask that blocks
/// them). Returns a channel id, or -1.
int meshedit_interrupt_channel_open(int wantsTerminalEvents);
/// The readable end of the channel's pipe (non-blocking), for poll or a dispatch source.
int meshedit_interrupt_channel_fd(int channel);
/// Reads every pending byte. Returns the number of SIGINTs; ORs MESHEDIT_TERMINAL_* bits
/// for the other signals into *terminalEvents (which may be NULL).
int meshedit_interrupt_channel_drain(int channel, int *terminalEvents);
/// Stops routing signals to the channel (idempotent). The channel stays allocated.
void meshedit_interrupt_channel_stop(int channel);
/// Stops the channel if needed and returns it to the pool. Call once, after whatever
/// was reading its fd has finished.
void meshedit_interrupt_channel_release(int channel);

#ifdef __cplusplus
}
#endif

#endif
