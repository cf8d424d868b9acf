// OneThing patch (a new file in internal/util/fsql): a batch runs the statements one command
// sends to a database in one SQLite transaction on one connection, committed when the command
// ends (see patches/msg_update.go), instead of one transaction per written document.

package fsql

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"

	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
	"github.com/FerretDB/FerretDB/internal/util/resource"
)

type batchKey struct{}

// batch is the transaction of a context made by WithBatch. Only the first DB a statement of the
// batch goes to joins it; statements to other databases run as without a batch.
type batch struct {
	db   *DB
	conn *sql.Conn
	// err stops the batch: BEGIN failed (statements then run on their own, as without a batch)
	// or the batch has ended.
	err error
}

var errBatchEnded = errors.New("batch ended")

// WithBatch returns a context whose statements share one transaction, begun by the first
// statement (BEGIN IMMEDIATE) and committed by EndBatch.
func WithBatch(ctx context.Context) context.Context {
	return context.WithValue(ctx, batchKey{}, &batch{})
}

// EndBatch commits the batch's transaction, if a statement began one, and returns its connection
// to the pool. The caller answers its client only after this: every write is committed first.
func EndBatch(ctx context.Context) error {
	b, _ := ctx.Value(batchKey{}).(*batch)
	if b == nil || b.conn == nil {
		return nil
	}

	conn := b.conn
	b.conn, b.err = nil, errBatchEnded

	defer conn.Close()

	// Commit even when the client has gone: what ran is kept, as when each write committed alone.
	bg := context.WithoutCancel(ctx)
	if _, err := conn.ExecContext(bg, "COMMIT"); err != nil {
		_, _ = conn.ExecContext(bg, "ROLLBACK")
		return lazyerrors.Error(err)
	}

	return nil
}

// batchConn returns the connection of ctx's batch for statements to db, beginning the batch's
// transaction on first use; nil when there is no batch, it is another database's, or it failed.
// The batch's statements run without ctx's cancellation (DB passes context.WithoutCancel): with
// a cancellable context, database/sql and the driver each start a goroutine per statement to
// interrupt it if the client goes away (~5% of the server's CPU in goroutine scheduling); a
// batch's statements are a command's own writes, committed together, and run to the end.
func (db *DB) batchConn(ctx context.Context) *sql.Conn {
	b, _ := ctx.Value(batchKey{}).(*batch)
	if b == nil || b.err != nil {
		return nil
	}

	if b.db == nil {
		conn, err := db.sqlDB.Conn(ctx)
		if err != nil {
			b.err = err
			return nil
		}

		if _, err = conn.ExecContext(context.WithoutCancel(ctx), "BEGIN IMMEDIATE"); err != nil {
			_ = conn.Close()
			b.err = err

			return nil
		}

		b.db, b.conn = db, conn
	}

	if b.db != db {
		return nil
	}

	return b.conn
}

// beginSavepoint is InTransaction's transaction inside a batch: a savepoint, released on commit
// and rolled back to on rollback, so a failed write leaves the batch's other writes as they were.
func beginSavepoint(ctx context.Context, conn *sql.Conn, l *slog.Logger) (*Tx, error) {
	bg := context.WithoutCancel(ctx)
	if _, err := conn.ExecContext(bg, "SAVEPOINT fsql_batch"); err != nil {
		return nil, err
	}

	res := &Tx{
		sqlTx:    conn,
		detached: true,
		commit: func() error {
			_, err := conn.ExecContext(bg, "RELEASE fsql_batch")
			return err
		},
		rollback: func() error {
			if _, err := conn.ExecContext(bg, "ROLLBACK TO fsql_batch"); err != nil {
				return err
			}
			_, err := conn.ExecContext(bg, "RELEASE fsql_batch")
			return err
		},
		l:     l,
		token: resource.NewToken(),
	}

	resource.Track(res, res.token)

	return res, nil
}
