#ifndef META_BUILDER_CLIBPQ_SHIM_H
#define META_BUILDER_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#include <sys/socket.h>
#include <poll.h>

/* libpq's diagnostic field codes are char macros, which Swift does not import. */
static const int MB_PG_DIAG_SQLSTATE = PG_DIAG_SQLSTATE;
static const int MB_PG_DIAG_MESSAGE_PRIMARY = PG_DIAG_MESSAGE_PRIMARY;

/* True when an idle connection's socket has input or a hang-up pending: the server closed or notified it. */
static inline int mb_pg_socket_has_pending_input(const PGconn *conn) {
    int fd = PQsocket(conn);
    if (fd < 0) return 1;
    struct pollfd p = { .fd = fd, .events = POLLIN, .revents = 0 };
    int n = poll(&p, 1, 0);
    return n != 0;
}
#endif
