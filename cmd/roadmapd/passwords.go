package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
)

// stdin is where passwords are read from; tests replace it.
var stdin io.Reader = os.Stdin

// terminal returns the file descriptor of stdin when it is a terminal.
func terminal() (int, bool) {
	f, ok := stdin.(*os.File)
	if !ok {
		return 0, false
	}
	fd := int(f.Fd())
	return fd, term.IsTerminal(fd)
}

// promptPassword asks for a password twice on the terminal, without echo.
func promptPassword(fd int, stderr io.Writer) (string, error) {
	fmt.Fprint(stderr, "Password: ")
	a, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return "", err
	}
	fmt.Fprint(stderr, "Password again: ")
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return "", err
	}
	if string(a) != string(b) {
		return "", errors.New("the two passwords differ")
	}
	return string(a), nil
}

// readLine reads the first line of r, without its line ending.
func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		if errors.Is(err, io.EOF) {
			return "", errors.New("no password given on standard input")
		}
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// setPassword validates, hashes and stores a user's password.
func setPassword(ctx context.Context, st *store.DB, userID int64, pw string) error {
	h, err := roadmap.HashPassword(pw)
	if err != nil {
		return err
	}
	return st.SetPassword(ctx, userID, h)
}

// initPassword finds the administrator's password for init: a file, then
// ROADMAPD_PASSWORD, then a prompt on a terminal. It returns "" when none
// is given.
func initPassword(file string, stderr io.Writer) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("reading --password-file: %w", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	if pw, ok := os.LookupEnv("ROADMAPD_PASSWORD"); ok {
		return pw, nil
	}
	if fd, ok := terminal(); ok {
		return promptPassword(fd, stderr)
	}
	return "", nil
}

// userSetPassword is `roadmapd user set-password --user EMAIL`: the password
// comes from a prompt on a terminal, else from the first line of stdin.
func userSetPassword(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user set-password", stdout, stderr)
	email := fs.str("user", "", "email of the user")
	db, err := addDBFlags(fs)
	if err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		fs.printUsage(stderr)
		return usageError(errors.New("user set-password needs --user EMAIL"))
	}
	var pw string
	if fd, ok := terminal(); ok {
		pw, err = promptPassword(fd, stderr)
	} else {
		pw, err = readLine(stdin)
	}
	if err != nil {
		return err
	}
	if err := roadmap.ValidatePassword(pw); err != nil {
		return err
	}
	st, err := db.open(ctx)
	if err != nil {
		return fmt.Errorf("opening the database: %w", err)
	}
	defer st.Close()
	u, err := st.UserByEmail(ctx, *email)
	if err != nil {
		return err
	}
	if err := setPassword(ctx, st, u.ID, pw); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "password set for %s\n", u.Email)
	return nil
}
