#ifndef META_BUILDER_CHIREDIS_SHIM_H
#define META_BUILDER_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#include <sys/socket.h>
#include <sys/time.h>

/// Typed wrapper over the variadic-free argv API: hiredis owns the reply; the caller frees it.
static inline redisReply *mb_redis_command_argv(redisContext *c, int argc, const char **argv, const size_t *argvlen) {
    return (redisReply *)redisCommandArgv(c, argc, argv, argvlen);
}

/// Blocks until the next reply (used by the pub/sub subscriber thread).
static inline int mb_redis_get_reply(redisContext *c, redisReply **reply) {
    return redisGetReply(c, (void **)reply);
}
#endif
