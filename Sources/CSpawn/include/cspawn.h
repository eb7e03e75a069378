#ifndef META_BUILDER_CSPAWN_H
#define META_BUILDER_CSPAWN_H
#include <spawn.h>

/* glibc's GNU extensions for posix_spawn (need _GNU_SOURCE, which Swift's Glibc module lacks). */
int mb_pipe_cloexec(int fds[2]);
int mb_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);
int mb_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);
#endif
