// What Swift's Glibc module leaves out: syncfs(2), which Glibc declares only under _GNU_SOURCE.
#ifndef MESHSCRIPT_CFILESYSTEM_H
#define MESHSCRIPT_CFILESYSTEM_H

/// Flushes everything written to the file system holding `fd` (file data and metadata) in one
/// call: what a commit of many files needs instead of one fsync per file. Returns 0, or -1 with
/// errno set (ENOSYS where the platform has no syncfs; the caller then syncs file by file).
int meshscript_syncfs(int fd);

#endif
