// The line editor over libedit: set-up, key reading, Tab and Ctrl-C bindings, and
// reading one line. History files are in History.c, signals in InterruptRelay.c.
#define _GNU_SOURCE
#include "CEditLine.h"
#include "Internal.h"

#include <errno.h>
#include <histedit.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct MeshEditor {
    EditLine *el;
    History *history;
    FILE *out;
    int inFd;
    int editing;            // libedit edits keys (0: TERM dumb/unset or not a terminal)
    int inputIsTerminal;
    char *prompt;
    int channel;            // interrupt channel while a line is read, else -1
    int cancelPending;      // Ctrl-C seen while editing: finish el_wgets with an error
    int interrupted;        // SIGINT seen with editing off
    wchar_t lastKey, keyBeforeLast;
    MeshEditCompletionCallback complete;
    void *completeContext;
};

static MeshEditor *editor_of(EditLine *el) {
    void *data = NULL;
    el_get(el, EL_CLIENTDATA, &data);
    return data;
}

static char *prompt_text(EditLine *el) {
    MeshEditor *editor = editor_of(el);
    return editor != NULL && editor->prompt != NULL ? editor->prompt : "";
}

static void remember_key(MeshEditor *editor, wchar_t key) {
    editor->keyBeforeLast = editor->lastKey;
    editor->lastKey = key;
}

// EL_GETCFN: libedit's own reader retries read(2) after EINTR, so a Ctrl-C would only be
// noticed at the next key. This one waits on the terminal and the interrupt channel.
static int read_key(EditLine *el, wchar_t *out) {
    MeshEditor *editor = editor_of(el);
    if (editor->cancelPending) {
        // The Ctrl-C binding has moved the cursor to the end and libedit has redrawn the
        // line; now make el_wgets return.
        errno = EINTR;
        return -1;
    }
    unsigned char bytes[4];
    size_t have = 0, need = 0;
    for (;;) {
        struct pollfd fds[2] = {
            {.fd = editor->inFd, .events = POLLIN},
            {.fd = meshedit_interrupt_channel_fd(editor->channel), .events = POLLIN},
        };
        nfds_t count = fds[1].fd >= 0 ? 2 : 1;
        if (poll(fds, count, -1) < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (count == 2 && (fds[1].revents & POLLIN)) {
            int events = 0;
            int interrupts = meshedit_interrupt_channel_drain(editor->channel, &events);
            if (interrupts > 0) {
                if (editor->editing) {
                    // Handled like a typed ^C (what arrives when ISIG is off), by cancel_line.
                    *out = 0x03;
                    remember_key(editor, *out);
                    return 1;
                }
                editor->interrupted = 1;
                errno = EINTR;
                return -1;
            }
            if (events != 0 && editor->editing) {
                if (events & MESHEDIT_TERMINAL_CONTINUED) {
                    // Back from Ctrl-Z: the shell has had the terminal and set its own
                    // modes. libedit still believes it is in raw mode, so leave and enter it.
                    el_set(el, EL_PREP_TERM, 0);
                    el_set(el, EL_PREP_TERM, 1);
                }
                el_resize(el);
                el_set(el, EL_REFRESH);
            }
        }
        if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        unsigned char byte;
        ssize_t n = read(editor->inFd, &byte, 1);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return -1;
        }
        if (n == 0) return 0;
        if (have == 0) {
            if (byte < 0x80) need = 1;
            else if (byte >= 0xC2 && byte <= 0xDF) need = 2;
            else if (byte >= 0xE0 && byte <= 0xEF) need = 3;
            else if (byte >= 0xF0 && byte <= 0xF4) need = 4;
            else continue; // not a lead byte: drop it
        } else if ((byte & 0xC0) != 0x80) {
            have = 0; // broken sequence: drop it (libedit does the same)
            continue;
        }
        bytes[have++] = byte;
        if (have < need) continue;
        wchar_t c;
        switch (need) {
        case 1: c = bytes[0]; break;
        case 2: c = ((bytes[0] & 0x1F) << 6) | (bytes[1] & 0x3F); break;
        case 3: c = ((bytes[0] & 0x0F) << 12) | ((bytes[1] & 0x3F) << 6) | (bytes[2] & 0x3F); break;
        default:
            c = ((bytes[0] & 0x07) << 18) | ((bytes[1] & 0x3F) << 12) | ((bytes[2] & 0x3F) << 6) | (bytes[3] & 0x3F);
            break;
        }
        *out = c;
        remember_key(editor, c);
        return 1;
    }
}

// Bound to ^C: cancel the line. Move to its end so "^C" lands after the text, let libedit
// redraw, and have the next read_key end el_wgets.
static unsigned char cancel_line(EditLine *el, int key) {
    (void)key;
    MeshEditor *editor = editor_of(el);
    const LineInfoW *line = el_wline(el);
    el_cursor(el, (int)(line->lastchar - line->cursor));
    editor->cancelPending = 1;
    return CC_REFRESH;
}

// Bound to Tab: hand the line to the completion callback (Swift).
static unsigned char complete_word(EditLine *el, int key) {
    (void)key;
    MeshEditor *editor = editor_of(el);
    if (editor->complete == NULL) return CC_ERROR;
    const LineInfoW *line = el_wline(el);
    size_t length = 0, cursor = 0;
    char *text = meshedit_utf8_from_wide(line->buffer, (size_t)(line->lastchar - line->buffer), &length,
                                         (size_t)(line->cursor - line->buffer), &cursor);
    if (text == NULL) return CC_ERROR;
    int repeated = editor->keyBeforeLast == L'\t';
    int result = editor->complete(editor->completeContext, editor, text, length, cursor, repeated);
    free(text);
    switch (result) {
    case MESHEDIT_COMPLETION_BEEP: return CC_REFRESH_BEEP;
    case MESHEDIT_COMPLETION_REDISPLAY: return CC_REDISPLAY;
    default: return CC_REFRESH;
    }
}

static int plain_terminal(void) {
    const char *term = getenv("TERM");
    return term == NULL || term[0] == '\0' || strcmp(term, "dumb") == 0;
}

// libedit's set-up and tear-down read the terminal database into global buffers (termcap's
// tgetent): two editors made at once on two threads corrupted each other (a crash in strncmp
// under el_init). Every editor is made and ended under this lock.
static pthread_mutex_t setup_lock = PTHREAD_MUTEX_INITIALIZER;

static MeshEditor *open_locked(const char *programName, int historyLimit);

MeshEditor *meshedit_open(const char *programName, int historyLimit) {
    pthread_mutex_lock(&setup_lock);
    MeshEditor *editor = open_locked(programName, historyLimit);
    pthread_mutex_unlock(&setup_lock);
    return editor;
}

static MeshEditor *open_locked(const char *programName, int historyLimit) {
    MeshEditor *editor = calloc(1, sizeof *editor);
    if (editor == NULL) return NULL;
    editor->out = stdout;
    editor->inFd = fileno(stdin);
    editor->channel = -1;
    editor->inputIsTerminal = isatty(editor->inFd);

    locale_t previous = meshedit_enter_utf8();
    HistEvent event;
    editor->history = history_init();
    editor->el = el_init(programName != NULL ? programName : "meshscript", stdin, stdout, stderr);
    if (editor->history == NULL || editor->el == NULL) {
        if (editor->history != NULL) history_end(editor->history);
        if (editor->el != NULL) el_end(editor->el);
        meshedit_leave_utf8(previous);
        free(editor);
        return NULL;
    }
    history(editor->history, &event, H_SETSIZE, historyLimit > 0 ? historyLimit : 1);
    history(editor->history, &event, H_SETUNIQUE, 1);

    EditLine *el = editor->el;
    el_set(el, EL_CLIENTDATA, editor);
    el_set(el, EL_EDITOR, "emacs");
    el_set(el, EL_SIGNAL, 0); // libedit's handlers re-raise with kill(0, sig); the relay does it instead
    el_set(el, EL_PROMPT, prompt_text);
    el_set(el, EL_HIST, history, editor->history);
    el_set(el, EL_GETCFN, read_key);
    el_source(el, NULL); // the user's ~/.editrc, as in every libedit program

    el_set(el, EL_ADDFN, "meshscript-complete", "Complete the word before the cursor", complete_word);
    el_set(el, EL_ADDFN, "meshscript-cancel-line", "Cancel the line being edited", cancel_line);
    el_set(el, EL_BIND, "^I", "meshscript-complete", NULL);
    el_set(el, EL_BIND, "^C", "meshscript-cancel-line", NULL);
    el_set(el, EL_BIND, "^R", "em-inc-search-prev", NULL);
    // Keys terminals send whether or not terminfo lists them.
    el_set(el, EL_BIND, "\033[H", "ed-move-to-beg", NULL);
    el_set(el, EL_BIND, "\033[F", "ed-move-to-end", NULL);
    el_set(el, EL_BIND, "\033OH", "ed-move-to-beg", NULL);
    el_set(el, EL_BIND, "\033OF", "ed-move-to-end", NULL);
    el_set(el, EL_BIND, "\033[1~", "ed-move-to-beg", NULL);
    el_set(el, EL_BIND, "\033[4~", "ed-move-to-end", NULL);
    el_set(el, EL_BIND, "\033[3~", "ed-delete-next-char", NULL);
    el_set(el, EL_BIND, "\033[1;5C", "em-next-word", NULL);
    el_set(el, EL_BIND, "\033[1;5D", "ed-prev-word", NULL);

    editor->editing = editor->inputIsTerminal && !plain_terminal();
    if (!editor->editing) el_set(el, EL_EDITMODE, 0);
    meshedit_leave_utf8(previous);
    return editor;
}

void meshedit_close(MeshEditor *editor) {
    if (editor == NULL) return;
    pthread_mutex_lock(&setup_lock);
    locale_t previous = meshedit_enter_utf8();
    el_end(editor->el);
    history_end(editor->history);
    meshedit_leave_utf8(previous);
    pthread_mutex_unlock(&setup_lock);
    free(editor->prompt);
    free(editor);
}

int meshedit_editing_enabled(const MeshEditor *editor) {
    return editor != NULL && editor->editing;
}

void meshedit_set_completion(MeshEditor *editor, MeshEditCompletionCallback callback, void *context) {
    editor->complete = callback;
    editor->completeContext = context;
}

void meshedit_free(void *pointer) {
    free(pointer);
}

MeshEditStatus meshedit_read_line(MeshEditor *editor, const char *prompt, char **line, size_t *length) {
    *line = NULL;
    *length = 0;
    char *copy = strdup(prompt != NULL ? prompt : "");
    if (copy != NULL) {
        free(editor->prompt);
        editor->prompt = copy;
    }
    editor->cancelPending = 0;
    editor->interrupted = 0;
    editor->lastKey = editor->keyBeforeLast = 0;
    if (!editor->inputIsTerminal) {
        // libedit prints no prompt without a terminal; the REPL normally never gets here.
        fputs(editor->prompt, editor->out);
        fflush(editor->out);
    }

    editor->channel = meshedit_interrupt_channel_open(editor->editing);
    locale_t previous = meshedit_enter_utf8();
    int count = 0;
    const wchar_t *text = el_wgets(editor->el, &count);
    char *result = NULL;
    size_t resultLength = 0;
    if (text != NULL && count > 0) {
        size_t n = (size_t)count;
        if (n > 0 && text[n - 1] == L'\n') n--;
        if (n > 0 && text[n - 1] == L'\r') n--;
        result = meshedit_utf8_from_wide(text, n, &resultLength, 0, NULL);
    }
    meshedit_leave_utf8(previous);
    meshedit_interrupt_channel_release(editor->channel);
    editor->channel = -1;

    if (editor->cancelPending || editor->interrupted) {
        free(result);
        // With editing off the terminal has echoed ^C itself.
        fputs(editor->editing ? "^C\n" : "\n", editor->out);
        fflush(editor->out);
        return MESHEDIT_INTERRUPTED;
    }
    if (result == NULL) {
        // Ctrl-D (libedit has shown ^D) or end of file: end the prompt's line.
        if (editor->inputIsTerminal) {
            fputs("\n", editor->out);
            fflush(editor->out);
        }
        return MESHEDIT_END_OF_INPUT;
    }
    *line = result;
    *length = resultLength;
    return MESHEDIT_LINE;
}

int meshedit_replace_before_cursor(MeshEditor *editor, size_t byteCount, const char *text) {
    const LineInfoW *line = el_wline(editor->el);
    size_t bytes = 0;
    int characters = 0;
    const wchar_t *p = line->cursor;
    while (bytes < byteCount && p > line->buffer) {
        p--;
        bytes += meshedit_utf8_width(*p);
        characters++;
    }
    if (bytes != byteCount) return -1;
    if (characters > 0) el_deletestr(editor->el, characters);
    if (text != NULL && text[0] != '\0') {
        wchar_t *wide = meshedit_wide_from_utf8(text);
        if (wide == NULL) return -1;
        int inserted = el_winsertstr(editor->el, wide);
        free(wide);
        if (inserted != 0) return -1;
    }
    return 0;
}

static size_t display_width(const wchar_t *text, size_t count) {
    size_t width = 0;
    for (size_t i = 0; i < count; i++) {
        int w = wcwidth(text[i]);
        width += w > 0 ? (size_t)w : (text[i] < 0x20 ? 2 : 0); // libedit shows controls as ^X
    }
    return width;
}

void meshedit_show_below_line(MeshEditor *editor, const char *text) {
    // After CC_REDISPLAY libedit moves up from where it believes the cursor is (its row
    // within a wrapped line) to the line's first row before drawing it again. Leave that
    // many blank rows under the text so the move lands below it rather than on it.
    const LineInfoW *line = el_wline(editor->el);
    size_t width = display_width(line->buffer, (size_t)(line->cursor - line->buffer));
    wchar_t *prompt = meshedit_wide_from_utf8(editor->prompt != NULL ? editor->prompt : "");
    if (prompt != NULL) {
        width += display_width(prompt, wcslen(prompt));
        free(prompt);
    }
    size_t row = width / (size_t)meshedit_terminal_columns(editor);
    fputs("\n", editor->out);
    fputs(text, editor->out);
    for (size_t i = 0; i < row; i++) fputs("\n", editor->out);
    fflush(editor->out);
}

int meshedit_terminal_columns(MeshEditor *editor) {
    struct winsize size;
    if (ioctl(fileno(editor->out), TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return 80;
}

int meshedit_terminal_rows(MeshEditor *editor) {
    struct winsize size;
    if (ioctl(fileno(editor->out), TIOCGWINSZ, &size) == 0 && size.ws_row > 0) return size.ws_row;
    return 24;
}

MeshEditStatus meshedit_read_plain_line(const char *prompt, char **line, size_t *length) {
    *line = NULL;
    *length = 0;
    fputs(prompt != NULL ? prompt : "", stdout);
    fflush(stdout);
    char *buffer = NULL;
    size_t capacity = 0;
    ssize_t n = getline(&buffer, &capacity, stdin);
    if (n < 0) {
        free(buffer);
        return MESHEDIT_END_OF_INPUT;
    }
    if (n > 0 && buffer[n - 1] == '\n') buffer[--n] = '\0';
    *line = buffer;
    *length = (size_t)n;
    return MESHEDIT_LINE;
}

int meshedit_stdin_is_terminal(void) {
    return isatty(STDIN_FILENO) ? 1 : 0;
}

int meshedit_stdout_is_terminal(void) {
    return isatty(STDOUT_FILENO) ? 1 : 0;
}

// Used by History.c, which has no access to the struct.
History *meshedit_history_of(MeshEditor *editor) {
    return editor->history;
}
