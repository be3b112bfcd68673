#ifndef VERDICT_CPROCESSSPAWN_H
#define VERDICT_CPROCESSSPAWN_H
#include <sys/types.h>

/// posix_spawn with the handler-process contract: stdin from /dev/null, stdout and stderr into
/// `output_fd`, default signal dispositions, an empty signal mask, its own process group, and
/// no other inherited descriptor. Returns 0 or an errno value.
int verdict_spawn(const char *path, char *const argv[], char *const envp[], int output_fd, pid_t *pid);

/// posix_spawn for a command run on the user's behalf (the `verdict` CLI's test command): stdin
/// from /dev/null, stdout and stderr inherited, default signal dispositions, an empty signal
/// mask, its own process group (so a signal can reach everything it starts), and no other
/// inherited descriptor. Returns 0 or an errno value.
int verdict_spawn_inheriting_output(const char *path, char *const argv[], char *const envp[], pid_t *pid);

/// posix_spawn for a command fed through pipes (a configured summary command): stdin from
/// `input_fd`, stdout into `output_fd`, stderr into `error_fd`, default signal dispositions, an
/// empty signal mask, its own process group (so a timeout can stop everything it started), and
/// no other inherited descriptor. Returns 0 or an errno value.
int verdict_spawn_piped(const char *path, char *const argv[], char *const envp[], int input_fd, int output_fd, int error_fd, pid_t *pid);

/// pipe2(fds, O_CLOEXEC): a pipe no process started later inherits by accident.
int verdict_pipe_cloexec(int fds[2]);

#endif
