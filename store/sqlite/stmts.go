package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStmts bounds the statement cache; exdesk issues a few dozen
// distinct statements, so the bound is only a guard.
const maxCachedStmts = 256

// stmts caches prepared statements by their text. SQLite parses a
// statement every time it is prepared, which costs more than running the
// small statements a case writes; database/sql prepares a cached
// statement once per connection and reuses it inside transactions.
//
// Nothing is prepared on the database while a transaction runs: the
// transaction holds a connection, and preparing needs another one, which a
// pool of busy writers may never free. A statement first met inside a
// transaction runs unprepared there and is prepared once the transaction
// ends (learn, then prepareLearned).
type stmts struct {
	db      *sql.DB
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	learned map[string]bool
}

func newStmts(db *sql.DB) *stmts {
	return &stmts{db: db, m: map[string]*sql.Stmt{}, learned: map[string]bool{}}
}

// cached returns the statement for query if it is prepared already, and
// otherwise remembers query to prepare after the transaction.
func (c *stmts) cachedOrLearn(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st
	}
	if len(c.m)+len(c.learned) < maxCachedStmts {
		c.learned[query] = true
	}
	return nil
}

// prepareLearned prepares the statements met inside transactions; call
// it with no transaction of this store open on the calling goroutine.
func (c *stmts) prepareLearned(ctx context.Context) {
	c.mu.Lock()
	if len(c.learned) == 0 {
		c.mu.Unlock()
		return
	}
	queries := make([]string, 0, len(c.learned))
	for q := range c.learned {
		queries = append(queries, q)
	}
	clear(c.learned)
	c.mu.Unlock()
	for _, q := range queries {
		_, _, _ = c.get(ctx, q)
	}
}

// get returns the prepared statement for query, preparing it once. ok is
// false when the cache is full: then the caller runs query unprepared.
//
// The lock is not held while preparing: preparing waits for a free
// connection, and the transactions holding the connections need the lock
// (cachedOrLearn) to finish and free them. Two goroutines may prepare the
// same query at once; the second statement is closed.
func (c *stmts) get(ctx context.Context, query string) (*sql.Stmt, bool, error) {
	c.mu.Lock()
	if st, ok := c.m[query]; ok {
		c.mu.Unlock()
		return st, true, nil
	}
	full := len(c.m) >= maxCachedStmts
	c.mu.Unlock()
	if full {
		return nil, false, nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[query]; ok {
		_ = st.Close()
		return prev, true, nil
	}
	c.m[query] = st
	return st, true, nil
}

// close closes every cached statement.
func (c *stmts) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		_ = st.Close()
		delete(c.m, q)
	}
}

// conn runs statements through the cache, on the database or, when tx is
// set, inside that transaction. It satisfies queryer.
type conn struct {
	c  *stmts
	tx *sql.Tx
}

var _ queryer = conn{}

func (q conn) stmt(ctx context.Context, query string) *sql.Stmt {
	if q.tx != nil {
		if st := q.c.cachedOrLearn(query); st != nil {
			return q.tx.StmtContext(ctx, st)
		}
		return nil // unprepared this time; prepared after the transaction
	}
	st, ok, err := q.c.get(ctx, query)
	if err != nil || !ok {
		return nil
	}
	return st
}

// ExecContext runs a statement that returns no rows.
func (q conn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := q.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	if q.tx != nil {
		return q.tx.ExecContext(ctx, query, args...)
	}
	return q.c.db.ExecContext(ctx, query, args...)
}

// QueryContext runs a query that returns rows.
func (q conn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	if q.tx != nil {
		return q.tx.QueryContext(ctx, query, args...)
	}
	return q.c.db.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query that returns at most one row.
func (q conn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := q.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	if q.tx != nil {
		return q.tx.QueryRowContext(ctx, query, args...)
	}
	return q.c.db.QueryRowContext(ctx, query, args...)
}
