// Copyright 2021 FerretDB Inc.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

// Package resource provides utilities for tracking resource lifetimes.
//
// OneThing patch: tracking is switched off. Upstream, Track adds every iterator, transaction and
// connection to a pprof profile (which records the caller's stack) and sets a finalizer that
// panics if the object is collected without Untrack; that is a leak detector for FerretDB's own
// tests and was ~8% of the test server's CPU. It never changes what a command does or returns.
package resource

// Token should be a field of a tracked object.
//
// The underlying type is not struct{} because (from the Go spec)
// "Two distinct zero-size variables may have the same address in memory",
// and they do.
type Token byte

// NewToken returns a new Token.
func NewToken() *Token {
	return new(Token)
}

// Track does nothing (see the package comment).
func Track(obj any, token *Token) {}

// Untrack does nothing (see the package comment).
func Untrack(obj any, token *Token) {}
