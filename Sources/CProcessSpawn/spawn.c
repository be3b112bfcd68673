#define _GNU_SOURCE
#include "CProcessSpawn.h"
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

static int spawn_with(const char *path, char *const argv[], char *const envp[], int input_fd, int output_fd, int error_fd, pid_t *pid);

int verdict_spawn(const char *path, char *const argv[], char *const envp[], int output_fd, pid_t *pid) {
    return spawn_with(path, argv, envp, -1, output_fd, output_fd, pid);
}

int verdict_spawn_inheriting_output(const char *path, char *const argv[], char *const envp[], pid_t *pid) {
    return spawn_with(path, argv, envp, -1, -1, -1, pid);
}

int verdict_spawn_piped(const char *path, char *const argv[], char *const envp[], int input_fd, int output_fd, int error_fd, pid_t *pid) {
    return spawn_with(path, argv, envp, input_fd, output_fd, error_fd, pid);
}

int verdict_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

/// `input_fd` < 0 reads /dev/null; `output_fd` or `error_fd` < 0 leaves that stream as it is.
static int spawn_with(const char *path, char *const argv[], char *const envp[], int input_fd, int output_fd, int error_fd, pid_t *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int result = posix_spawn_file_actions_init(&actions);
    if (result != 0) return result;
    result = posix_spawnattr_init(&attributes);
    if (result != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return result;
    }
    if (input_fd >= 0) {
        posix_spawn_file_actions_adddup2(&actions, input_fd, 0);
    } else {
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    }
    if (output_fd >= 0) posix_spawn_file_actions_adddup2(&actions, output_fd, 1);
    if (error_fd >= 0) posix_spawn_file_actions_adddup2(&actions, error_fd, 2);
    // The emulator holds event-loop descriptors and other handlers' sockets; a child that kept
    // them would keep those connections alive after the emulator is gone.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);

    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGCHLD);
    sigaddset(&defaults, SIGHUP);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    sigset_t empty;
    sigemptyset(&empty);
    posix_spawnattr_setsigmask(&attributes, &empty);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

    result = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return result;
}
