#ifndef VERDICT_CPROCESSSPAWN_H
#define VERDICT_CPROCESSSPAWN_H
#include <sys/types.h>

/// posix_spawn with the handler-process contract: stdin from /dev/null, stdout and stderr into
/// `output_fd`, default signal dispositions, an empty signal mask, its own process group, and
/// no other inherited descriptor. Returns 0 or an errno value.
int verdict_spawn(const char *path, char *const argv[], char *const envp[], int output_fd, pid_t *pid);

#endif
