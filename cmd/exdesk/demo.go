package main

import "context"

func runDemo(ctx context.Context, e *env, args []string) int { return exitOK }

func runAsk(ctx context.Context, e *env, args []string) int { return exitOK }
