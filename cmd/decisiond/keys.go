package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"decisiond/store/crypt"
)

// keysCmd: decisiond keys generate --out DIR [--crypto intl|gm] writes a
// deployment signing key pair (Ed25519, or SM2 under 国密) in standard PEM.
// The private key stays outside the database, readable by its owner only.
func keysCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "generate" {
		return errors.New("usage: decisiond keys generate --out DIR [--crypto intl|gm]")
	}
	fs := flag.NewFlagSet("keys generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "folder for the key pair")
	suite := fs.String("crypto", env("CRYPTO", crypt.SuiteIntl), "intl (Ed25519) or gm (SM2, 国密)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("--out is required")
	}
	if !crypt.ValidSuite(*suite) {
		return fmt.Errorf("--crypto %q: intl or gm", *suite)
	}
	k, err := crypt.Generate(*suite)
	if err != nil {
		return err
	}
	if err := k.WriteKeys(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s key pair written: %s (private, mode 0600) and %s (public); key id %s\n", k.Alg(),
		filepath.Join(*out, crypt.PrivateKeyFile), filepath.Join(*out, crypt.PublicKeyFile), k.KeyID())
	return nil
}
