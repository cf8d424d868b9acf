// Command mongo-server runs an embedded FerretDB v1 (MongoDB wire protocol, SQLite backend) for
// OneThing's tests, so the mongo store adapter is tested against a real wire-protocol server
// without a MongoDB binary.
//
// Usage:
//
//	mongo-server [-port 0] [-dir DIR] [-exit-on-stdin-close] [-gc-percent 800] [-cpuprofile FILE]
//
// FerretDB runs one command at a time (a lock around each command, patches/clientconn_conn.go),
// because FerretDB v1's findAndModify/update are not atomic under concurrency: it implements
// them as "query, then write the changed documents back by _id" without re-checking the filter
// in the write (internal/handler/msg_findandmodify.go and internal/handler/common/update.go in
// v1.24.2), so two concurrent compare-and-set updates ({_id, rev: 5} -> $inc rev) could both
// succeed. MongoDB guarantees single-document atomicity, and OneThing's store relies on it.
// -serialize=false runs commands concurrently, for comparison.
//
// When it listens it prints exactly one line to stdout:
//
//	READY mongodb://127.0.0.1:<port>/
//
// It exits on SIGTERM/SIGINT and, with -exit-on-stdin-close, when its stdin reaches EOF (so it
// never outlives the process that started it). Without -dir it uses a new temporary directory
// and removes it on exit. FerretDB logs at warn level to stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "mongo-server:", err)
		os.Exit(1)
	}
}

func run() error {
	port := flag.Int("port", 0, "TCP port on 127.0.0.1 (0 = pick a free port)")
	dir := flag.String("dir", "", "directory for the SQLite files (default: a new temporary directory, removed on exit)")
	exitOnStdinClose := flag.Bool("exit-on-stdin-close", false, "exit when stdin is closed")
	serialize := flag.Bool("serialize", true, "run one command at a time (single-document atomicity, as on MongoDB)")
	logLevel := flag.String("log-level", "warn", "FerretDB log level: debug, info, warn or error")
	synchronous := flag.String("synchronous", "normal", "SQLite synchronous pragma: normal (no fsync per commit; survives a killed client, not a power cut) or full")
	cpuProfile := flag.String("cpuprofile", "", "write a Go CPU profile of the server to this file (for performance work)")
	gcPercent := flag.Int("gc-percent", 800, "Go GC target percentage (GOGC); FerretDB's live heap is small, so the default 100 collects very often")
	flag.Parse()

	// A CPU profile of the fan-out benchmark showed ~15% of the server in the garbage collector;
	// 400 cut the server's CPU per instance by about a quarter, for a few more MiB of heap; after
	// the later patches 800 cut it by another ~3-5% (peak RSS in the fan-out 69 -> 85 MiB).
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(*gcPercent)
	}

	if *cpuProfile != "" {
		out, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(out); err != nil {
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			_ = out.Close()
		}()
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("bad -log-level: %w", err)
	}
	logger := slog.New(&lazyHandler{inner: slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})})
	slog.SetDefault(logger)

	dataDir := *dir
	if dataDir == "" {
		tmp, err := os.MkdirTemp("", "onething-mongo-server-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dataDir = tmp
	} else if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return err
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	if *exitOnStdinClose {
		ctx2, cancel := context.WithCancel(ctx)
		defer cancel()
		ctx = ctx2
		go func() {
			// Returns on EOF (parent closed the pipe or died) or on a read error.
			_, _ = io.Copy(io.Discard, os.Stdin)
			cancel()
		}()
	}

	// Read by the patched FerretDB (patches/clientconn_conn.go) when the first command arrives.
	if *serialize {
		if err := os.Setenv("ONETHING_SERIALIZE_COMMANDS", "1"); err != nil {
			return err
		}
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/?_pragma=synchronous(" + url.QueryEscape(*synchronous) + ")",
		Listener:  ferretdb.ListenerConfig{TCP: fmt.Sprintf("127.0.0.1:%d", *port)},
	})
	if err != nil {
		return err
	}

	// New has already bound FerretDB's listener, so its address is known.
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	if _, err := fmt.Fprintf(os.Stdout, "READY %s\n", f.MongoDBURI()); err != nil {
		return err
	}

	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
