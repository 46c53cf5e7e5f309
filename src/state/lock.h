/*
 * lock: one table synced by one process at a time on this machine.
 *
 * Owns: `{root}/watermarks/{db}/{schema}/{table}/.lock`, held with
 * flock(LOCK_EX | LOCK_NB) for the whole sync, and the diagnostic content
 * written into it (pid, host, started_at as one JSON line). Leaves to
 * others: the lock across machines (sp_getapplock on the source database,
 * engine/), waiting and retrying (engine/).
 *
 * Invariants:
 *  - The kernel releases a flock when its holder dies, even by SIGKILL, so
 *    a lock file left behind by a dead process never blocks anyone; its
 *    content is only a hint for the message a second process gets.
 *  - flock belongs to the open file description, so two opens in the same
 *    process (two worker threads) also exclude each other.
 *  - The lock file is never unlinked: removing it while another process
 *    waits on the old inode would let two holders exist at once.
 *  - flock on NFS is emulated with POSIX locks or not at all depending on
 *    the mount; state roots on network filesystems rely on the source-side
 *    applock instead.
 *
 * Lifecycle:  (none) --lock_open()--> HELD --lock_close()--> (none)
 */
#ifndef SL_STATE_LOCK_H
#define SL_STATE_LOCK_H

struct fsio_ops;
struct sl_err;
struct table_lock;

/*
 * Take the lock of db.schema.table under root, creating the state directory
 * as needed; started_at is the ISO-8601 text recorded for diagnostics.
 * On success *out is the held lock (caller owns; release with lock_close).
 * SL_EBUSY when another holder has it: the message names the table and the
 * holder ("table shop.dbo.orders is being synced by pid 1234 on host x
 * since ...") with a hint; SL_EIO / SL_EINVAL / SL_ENOMEM otherwise.
 */
int lock_open(const struct fsio_ops *io, const char *root, const char *db, const char *schema,
              const char *table, const char *started_at, struct table_lock **out,
              struct sl_err *err);

/* Clear the diagnostic content and release the lock. NULL is fine. */
void lock_close(struct table_lock *l);

#endif
