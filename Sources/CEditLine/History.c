// History files: libedit's own format (H_LOAD / H_SAVE_FP, entries escaped with strvis,
// so multi-line entries survive), bounded by H_SETSIZE, written atomically.
#define _GNU_SOURCE
#include "CEditLine.h"
#include "Internal.h"

#include <fcntl.h>
#include <histedit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void meshedit_history_add(MeshEditor *editor, const char *entry) {
    if (entry == NULL || entry[0] == '\0') return;
    HistEvent event;
    locale_t previous = meshedit_enter_utf8();
    history(meshedit_history_of(editor), &event, H_ENTER, entry);
    meshedit_leave_utf8(previous);
}

int meshedit_history_load(MeshEditor *editor, const char *path) {
    if (path == NULL || path[0] == '\0') return -1;
    HistEvent event;
    locale_t previous = meshedit_enter_utf8();
    int loaded = history(meshedit_history_of(editor), &event, H_LOAD, path);
    meshedit_leave_utf8(previous);
    return loaded < 0 ? -1 : loaded;
}

int meshedit_history_save(const char *path, int limit, const char *const *entries, size_t count) {
    if (path == NULL || path[0] == '\0') return -1;
    locale_t previous = meshedit_enter_utf8();
    int status = -1;
    char *temporary = NULL;
    int fd = -1;
    FILE *file = NULL;
    HistEvent event;
    History *merged = history_init();
    if (merged == NULL) goto done;
    history(merged, &event, H_SETSIZE, limit > 0 ? limit : 1);
    history(merged, &event, H_SETUNIQUE, 1);
    // What other sessions saved since we loaded stays; ours goes after it.
    (void)history(merged, &event, H_LOAD, path);
    for (size_t i = 0; i < count; i++) {
        if (entries[i] != NULL && entries[i][0] != '\0') history(merged, &event, H_ENTER, entries[i]);
    }

    size_t size = strlen(path) + sizeof ".XXXXXX";
    temporary = malloc(size);
    if (temporary == NULL) goto done;
    snprintf(temporary, size, "%s.XXXXXX", path);
    fd = mkostemp(temporary, O_CLOEXEC); // mode 0600
    if (fd < 0) goto done;
    file = fdopen(fd, "w");
    if (file == NULL) goto done;
    fd = -1; // owned by file now
    if (history(merged, &event, H_SAVE_FP, file) < 0) goto done;
    if (fflush(file) != 0 || fsync(fileno(file)) != 0) goto done;
    int closed = fclose(file);
    file = NULL;
    if (closed != 0) goto done;
    if (rename(temporary, path) != 0) goto done;
    free(temporary);
    temporary = NULL;
    status = 0;

done:
    if (file != NULL) fclose(file);
    if (fd >= 0) close(fd);
    if (temporary != NULL) {
        unlink(temporary);
        free(temporary);
    }
    if (merged != NULL) history_end(merged);
    meshedit_leave_utf8(previous);
    return status;
}

size_t meshedit_history_copy(MeshEditor *editor, char ***entries) {
    *entries = NULL;
    History *h = meshedit_history_of(editor);
    HistEvent event;
    if (history(h, &event, H_GETSIZE) < 0 || event.num <= 0) return 0;
    size_t capacity = (size_t)event.num;
    char **copy = calloc(capacity, sizeof *copy);
    if (copy == NULL) return 0;
    size_t count = 0;
    // H_LAST is the oldest entry, H_PREV steps towards the newest.
    for (int found = history(h, &event, H_LAST); found >= 0 && count < capacity;
         found = history(h, &event, H_PREV)) {
        copy[count] = strdup(event.str != NULL ? event.str : "");
        if (copy[count] == NULL) break;
        count++;
    }
    *entries = copy;
    return count;
}

void meshedit_history_free(char **entries, size_t count) {
    if (entries == NULL) return;
    for (size_t i = 0; i < count; i++) free(entries[i]);
    free(entries);
}
