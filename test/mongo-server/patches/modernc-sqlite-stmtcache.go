// OneThing patch (test/mongo-server/build.sh adds this file to modernc.org/sqlite v1.32.0, and
// patches/modernc-sqlite-stmtcache.diff hooks it into sqlite.go).
//
// The driver prepares every statement afresh on each Exec or Query, even a *sql.Stmt, and
// finalizes it afterwards; FerretDB runs the same few statements for every operation, so
// parsing SQL was ~10% of the test server's CPU. Here a connection keeps what it prepared, keyed
// by the SQL text, and hands it out again after sqlite3_reset and sqlite3_clear_bindings, which
// leave a statement as it was when prepared: results are unchanged. A statement still in use
// (its rows not closed) is never handed out twice; a second use of the same text meanwhile is
// prepared and finalized as before. SQLite re-prepares a kept statement itself when the schema
// changes (sqlite3_prepare_v2).

package sqlite

import (
	"modernc.org/libc"

	sqlite3 "modernc.org/sqlite/lib"
)

// stmtCacheMax bounds the statements one connection keeps (texts with varying numbers of
// placeholders are distinct statements).
const stmtCacheMax = 256

type cachedStmt struct {
	pstmt    uintptr
	consumed uintptr // bytes of the SQL text this statement takes (prepare's tail minus start)
	inUse    bool
}

type stmtCache struct {
	byText map[string]*cachedStmt
	byStmt map[uintptr]*cachedStmt
}

// takeCached returns the kept statement for the SQL text at *zSQL, if it is free, and moves
// *zSQL past it as sqlite3_prepare_v2 would; text is the SQL, for remember.
func (c *conn) takeCached(zSQL *uintptr) (pstmt uintptr, text string, ok bool) {
	text = libc.GoString(*zSQL)
	e := c.stmts.byText[text]
	if e == nil || e.inUse {
		return 0, text, false
	}
	e.inUse = true
	*zSQL += e.consumed
	return e.pstmt, text, true
}

// remember keeps a statement just prepared from text (in use until it is finalized).
func (c *conn) remember(text string, pstmt, consumed uintptr) {
	if pstmt == 0 || len(c.stmts.byText) >= stmtCacheMax {
		return
	}
	if _, ok := c.stmts.byText[text]; ok {
		return // the kept one is in use; this one is finalized as usual
	}
	if c.stmts.byText == nil {
		c.stmts.byText = map[string]*cachedStmt{}
		c.stmts.byStmt = map[uintptr]*cachedStmt{}
	}
	e := &cachedStmt{pstmt: pstmt, consumed: consumed, inUse: true}
	c.stmts.byText[text] = e
	c.stmts.byStmt[pstmt] = e
}

// releaseCached resets a kept statement for its next use instead of finalizing it, returning
// what sqlite3_finalize would (the error of its last step, if any); cached is false for a
// statement that is not kept.
func (c *conn) releaseCached(pstmt uintptr) (cached bool, err error) {
	e := c.stmts.byStmt[pstmt]
	if e == nil {
		return false, nil
	}
	rc := sqlite3.Xsqlite3_reset(c.tls, pstmt)
	sqlite3.Xsqlite3_clear_bindings(c.tls, pstmt)
	e.inUse = false
	if rc != sqlite3.SQLITE_OK {
		return true, c.errstr(rc)
	}
	return true, nil
}

// finalizeCached finalizes the kept statements before the connection closes. One still in use
// is forgotten instead, so that its own finalize later goes the ordinary way.
func (c *conn) finalizeCached() {
	for pstmt, e := range c.stmts.byStmt {
		if !e.inUse {
			sqlite3.Xsqlite3_finalize(c.tls, pstmt)
		}
	}
	c.stmts = stmtCache{}
}
