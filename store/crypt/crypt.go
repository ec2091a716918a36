// Package crypt is the cryptography of the record, chosen per deployment:
// hashes (SHA-256, or SM3 under 国密, GB/T 32905) for the audit chain and
// documents, and signatures (Ed25519, or SM2 under 国密, GB/T 32918) for
// checkpoints and archive manifests. Every hash and signature names its
// algorithm, so a record that switches from SHA-256 to SM3 verifies across
// the switch. Keys are standard PEM (PKCS#8 private keys, PKIX public keys).
package crypt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/smx509"
)

// Suites: the international default and 国密.
const (
	SuiteIntl = "intl" // SHA-256 + Ed25519
	SuiteGM   = "gm"   // SM3 + SM2
)

// Hash and signature algorithm names, as events, checkpoints and manifests
// record them.
const (
	SHA256  = "sha256"
	SM3     = "sm3"
	Ed25519 = "ed25519"
	SM2     = "sm2"
)

// HashAlgOf is the hash algorithm of a suite.
func HashAlgOf(suite string) string {
	if suite == SuiteGM {
		return SM3
	}
	return SHA256
}

// SignAlgOf is the signature algorithm of a suite.
func SignAlgOf(suite string) string {
	if suite == SuiteGM {
		return SM2
	}
	return Ed25519
}

// ValidSuite reports whether s names a suite.
func ValidSuite(s string) bool { return s == SuiteIntl || s == SuiteGM }

// NewHash returns a new hash of the named algorithm.
func NewHash(alg string) (hash.Hash, error) {
	switch alg {
	case SHA256:
		return sha256.New(), nil
	case SM3:
		return sm3.New(), nil
	}
	return nil, fmt.Errorf("unsupported hash algorithm %q", alg)
}

// Sum is the lowercase hex digest of the parts, in order.
func Sum(alg string, parts ...[]byte) (string, error) {
	h, err := NewHash(alg)
	if err != nil {
		return "", err
	}
	for _, p := range parts {
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// HMAC is the lowercase hex HMAC (RFC 2104) of msg under key with the
// named hash: HMAC-SHA256, or HMAC-SM3 under 国密 (GM/T 0042).
func HMAC(alg string, key, msg []byte) (string, error) {
	if _, err := NewHash(alg); err != nil {
		return "", err
	}
	m := hmac.New(func() hash.Hash { h, _ := NewHash(alg); return h }, key)
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil)), nil
}

// sm2UID is the signer identity of SM2 signatures: the default user id of
// GB/T 32918 / GM/T 0009 ("1234567812345678").
var sm2UID = []byte("1234567812345678")

// Signer signs with a deployment key.
type Signer struct {
	alg  string
	priv crypto.Signer
	pub  crypto.PublicKey
}

// Alg is the signature algorithm ("ed25519" or "sm2").
func (s *Signer) Alg() string { return s.alg }

// Sign signs msg (SM2: with the SM3 digest of ZA ‖ msg, the standard's
// preprocessing; Ed25519: the message itself).
func (s *Signer) Sign(msg []byte) ([]byte, error) {
	switch k := s.priv.(type) {
	case ed25519.PrivateKey:
		return ed25519.Sign(k, msg), nil
	case *sm2.PrivateKey:
		return k.SignWithSM2(rand.Reader, sm2UID, msg)
	}
	return nil, errors.New("unsupported key")
}

// PublicPEM is the public key in PEM (PKIX "PUBLIC KEY").
func (s *Signer) PublicPEM() ([]byte, error) { return publicPEM(s.pub) }

// KeyID is a short name of the public key: the first 16 hex digits of the
// SHA-256 of its DER encoding.
func (s *Signer) KeyID() string {
	p, err := s.PublicPEM()
	if err != nil {
		return ""
	}
	return KeyIDOf(p)
}

// KeyIDOf names a PEM public key.
func KeyIDOf(pubPEM []byte) string {
	b, _ := pem.Decode(pubPEM)
	if b == nil {
		return ""
	}
	h := sha256.Sum256(b.Bytes)
	return hex.EncodeToString(h[:8])
}

func publicPEM(pub crypto.PublicKey) ([]byte, error) {
	var der []byte
	var err error
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		der, err = smx509.MarshalPKIXPublicKey(k)
	default:
		der, err = x509.MarshalPKIXPublicKey(k)
	}
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// Generate makes a new key pair for the suite.
func Generate(suite string) (*Signer, error) {
	switch suite {
	case SuiteIntl, "":
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return &Signer{alg: Ed25519, priv: priv, pub: pub}, nil
	case SuiteGM:
		k, err := sm2.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return &Signer{alg: SM2, priv: k, pub: &k.PublicKey}, nil
	}
	return nil, fmt.Errorf("unknown crypto suite %q (intl or gm)", suite)
}

// PrivatePEM is the private key in PEM (PKCS#8 "PRIVATE KEY"; SM2 keys
// carry the SM2 curve OID 1.2.156.10197.1.301).
func (s *Signer) PrivatePEM() ([]byte, error) {
	var der []byte
	var err error
	switch k := s.priv.(type) {
	case *sm2.PrivateKey:
		der, err = smx509.MarshalPKCS8PrivateKey(k)
	default:
		der, err = x509.MarshalPKCS8PrivateKey(k)
	}
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// Key file names in a key folder.
const (
	PrivateKeyFile = "decisiond-signing.key"
	PublicKeyFile  = "decisiond-signing.pub"
)

// WriteKeys writes the key pair into dir (the private key readable by its
// owner only) and refuses to overwrite an existing key.
func (s *Signer) WriteKeys(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	priv, err := s.PrivatePEM()
	if err != nil {
		return err
	}
	pub, err := s.PublicPEM()
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, PrivateKeyFile), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write the private key (an existing key is never overwritten): %w", err)
	}
	if _, err := f.Write(priv); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, PublicKeyFile), pub, 0o644)
}

// LoadSigner reads a PEM private key (Ed25519 or SM2).
func LoadSigner(path string) (*Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseSigner(b)
}

// ParseSigner parses a PEM private key (Ed25519 or SM2).
func ParseSigner(pemBytes []byte) (*Signer, error) {
	blk, _ := pem.Decode(pemBytes)
	if blk == nil {
		return nil, errors.New("no PEM block in the key file")
	}
	key, err := smx509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse the private key: %w", err)
	}
	switch k := key.(type) {
	case ed25519.PrivateKey:
		return &Signer{alg: Ed25519, priv: k, pub: k.Public()}, nil
	case *sm2.PrivateKey:
		return &Signer{alg: SM2, priv: k, pub: &k.PublicKey}, nil
	}
	return nil, fmt.Errorf("unsupported key type %T (Ed25519 or SM2 expected)", key)
}

// Verify checks a signature of msg by the PEM public key, for the named
// algorithm; the key must be of that algorithm.
func Verify(alg string, pubPEM, msg, sig []byte) error {
	blk, _ := pem.Decode(pubPEM)
	if blk == nil {
		return errors.New("no PEM block in the public key")
	}
	key, err := smx509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return fmt.Errorf("parse the public key: %w", err)
	}
	switch alg {
	case Ed25519:
		k, ok := key.(ed25519.PublicKey)
		if !ok {
			return errors.New("the public key is not an Ed25519 key")
		}
		if !ed25519.Verify(k, msg, sig) {
			return errors.New("the Ed25519 signature does not verify")
		}
		return nil
	case SM2:
		k, ok := key.(*ecdsa.PublicKey)
		if !ok || !sm2.IsSM2PublicKey(k) {
			return errors.New("the public key is not an SM2 key")
		}
		if !sm2.VerifyASN1WithSM2(k, sm2UID, msg, sig) {
			return errors.New("the SM2 signature does not verify")
		}
		return nil
	}
	return fmt.Errorf("unsupported signature algorithm %q", alg)
}
