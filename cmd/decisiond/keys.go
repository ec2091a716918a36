package main

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"decisiond/store"
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

// signingKey loads the deployment's checkpoint key, or — when none is
// configured — the one beside the database, making it on first start. The
// key must be of the deployment's suite (SM2 under 国密). The note says
// where it is; a key that cannot be made leaves checkpoints unsigned (acts
// go on).
func signingKey(cfg config, path string) (*crypt.Signer, string, error) {
	want := crypt.SignAlgOf(cfg.crypto)
	if path != "" {
		s, err := crypt.LoadSigner(path)
		if err != nil {
			return nil, "", fmt.Errorf("--signing-key %s: %w", path, err)
		}
		if s.Alg() != want {
			return nil, "", fmt.Errorf("--signing-key %s is an %s key; --crypto %s needs %s (decisiond keys generate --crypto %s)", path, s.Alg(), cfg.crypto, want, cfg.crypto)
		}
		return s, fmt.Sprintf("检查点签名密钥 / checkpoint signing key: %s (%s, key id %s)", path, s.Alg(), s.KeyID()), nil
	}
	dir := filepath.Join(filepath.Dir(cfg.db), "keys")
	if store.IsPostgres(cfg.db) {
		dir = filepath.Join(filepath.Dir(DefaultDB), "keys")
	}
	p := filepath.Join(dir, crypt.PrivateKeyFile)
	if s, err := crypt.LoadSigner(p); err == nil {
		if s.Alg() != want {
			return nil, "", fmt.Errorf("the key %s is an %s key; --crypto %s needs %s — give --signing-key or move it away", p, s.Alg(), cfg.crypto, want)
		}
		return s, fmt.Sprintf("检查点签名密钥 / checkpoint signing key: %s (%s, key id %s)", p, s.Alg(), s.KeyID()), nil
	}
	s, err := crypt.Generate(cfg.crypto)
	if err == nil {
		err = s.WriteKeys(dir)
	}
	if err != nil {
		return nil, fmt.Sprintf("警告：无法生成检查点签名密钥，检查点不签名 / WARNING: no checkpoint signing key (%v); checkpoints are not signed", err), nil
	}
	return s, fmt.Sprintf("已生成检查点签名密钥 / checkpoint signing key made: %s (%s, key id %s); keep a copy of the public key %s off this machine",
		p, s.Alg(), s.KeyID(), filepath.Join(dir, crypt.PublicKeyFile)), nil
}

// addressSalt loads the deployment's salt for the addresses of the
// public's comments (only their salted hash is kept), or — when none is
// configured — the one beside the signing key, making it on first start
// (32 random bytes, mode 0600). It is never written to the database, so a
// copy of the database alone cannot tell who commented from where. A salt
// that cannot be kept is made for this run only (hashes then differ from
// run to run; comments go on).
func addressSalt(cfg config, path string) ([]byte, string, error) {
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, "", fmt.Errorf("--address-salt-file %s: %w", path, err)
		}
		if len(b) < 16 {
			return nil, "", fmt.Errorf("--address-salt-file %s: at least 16 bytes are needed", path)
		}
		return b, "", nil
	}
	dir := filepath.Join(filepath.Dir(cfg.db), "keys")
	if store.IsPostgres(cfg.db) {
		dir = filepath.Join(filepath.Dir(DefaultDB), "keys")
	}
	p := filepath.Join(dir, "address.salt")
	if b, err := os.ReadFile(p); err == nil && len(b) >= 16 {
		return b, "", nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, "", err
	}
	err := os.MkdirAll(dir, 0o700)
	if err == nil {
		err = os.WriteFile(p, b, 0o600)
	}
	if err != nil {
		return b, fmt.Sprintf("警告：无法保存公众意见地址摘要的盐值，本次运行使用临时盐值 / WARNING: the address salt could not be kept (%v); this run uses a temporary one", err), nil
	}
	return b, fmt.Sprintf("已生成公众意见地址摘要的盐值 / address salt made: %s (keep it with the keys, outside the database)", p), nil
}
