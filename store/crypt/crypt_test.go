package crypt

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
)

// TestSM3_GBT32905_Vectors: the two examples of GB/T 32905-2016 (SM3) Annex A.
func TestSM3_GBT32905_Vectors(t *testing.T) {
	for msg, want := range map[string]string{
		"abc":                      "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
		strings.Repeat("abcd", 16): "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732",
	} {
		got, err := Sum(SM3, []byte(msg))
		if err != nil || got != want {
			t.Errorf("SM3(%q) = %s, want %s (%v)", msg, got, want, err)
		}
	}
	if got, _ := Sum(SHA256, []byte("abc")); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("SHA-256(abc) = %s", got)
	}
	if got, _ := Sum(SM3, []byte("ab"), []byte("c")); got != "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0" {
		t.Errorf("Sum hashes its parts in order: %s", got)
	}
	if _, err := Sum("md5", nil); err == nil {
		t.Error("an unknown algorithm is refused")
	}
}

func hexInt(s string) *big.Int {
	n, ok := new(big.Int).SetString(strings.ReplaceAll(s, " ", ""), 16)
	if !ok {
		panic(s)
	}
	return n
}

// TestSM2_GBT32918_SignatureExample: the signature example of GB/T 32918
// (GM/T 0003.5-2012 Annex A.2) on the recommended curve — the key pair,
// the digest e = SM3(Z_A ‖ M) with the default user id, and the published
// signature (r, s) of "message digest" verify; a changed message or
// signature does not.
func TestSM2_GBT32918_SignatureExample(t *testing.T) {
	d := hexInt("3945208F 7B2144B1 3F36E38A C6D39F95 88939369 2860B51A 42FB81EF 4DF7C5B8")
	x := hexInt("09F9DF31 1E5421A1 50DD7D16 1E4BC5C6 72179FAD 1833FC07 6BB08FF3 56F35020")
	y := hexInt("CCEA490C E26775A5 2DC6EA71 8CC1AA60 0AED05FB F35E084A 6632F607 2DA9AD13")
	r := hexInt("F5A03B06 48D2C463 0EEAC513 E1BB81A1 5944DA38 27D5B741 43AC7EAC EEE720B3")
	s := hexInt("B1B6AA29 DF212FD8 763182BC 0D421CA1 BB9038FD 1F7F42D4 840B69C4 85BBC1AA")
	curve := sm2.P256()
	//lint:ignore SA1019 the standard's example gives the key as raw coordinates
	gx, gy := curve.ScalarBaseMult(d.Bytes())
	if gx.Cmp(x) != 0 || gy.Cmp(y) != 0 {
		t.Fatal("the public key of the example is not d·G")
	}
	//lint:ignore SA1019 the standard's example gives the key as raw coordinates
	pub := &ecdsa.PublicKey{Curve: curve, X: x, Y: y}
	msg := []byte("message digest")
	za, err := sm2.CalculateZA(pub, sm2UID)
	if err != nil {
		t.Fatal(err)
	}
	e := sm3.Sum(append(za, msg...))
	if got := strings.ToUpper(hex.EncodeToString(e[:])); got != "F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640" {
		t.Fatalf("e = %s", got)
	}
	sig, _ := asn1.Marshal(struct{ R, S *big.Int }{r, s})
	pubPEM, err := publicPEM(pub)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(SM2, pubPEM, msg, sig); err != nil {
		t.Fatalf("the published signature must verify: %v", err)
	}
	if Verify(SM2, pubPEM, []byte("message digesT"), sig) == nil {
		t.Fatal("a changed message verified")
	}
	bad, _ := asn1.Marshal(struct{ R, S *big.Int }{r, new(big.Int).Add(s, big.NewInt(1))})
	if Verify(SM2, pubPEM, msg, bad) == nil {
		t.Fatal("a changed signature verified")
	}
}

// TestSignVerify_BothSuites: a key pair written as PEM and read back signs
// a message that verifies with its own public key and fails with another's
// and with the other algorithm's name.
func TestSignVerify_BothSuites(t *testing.T) {
	for _, suite := range []string{SuiteIntl, SuiteGM} {
		t.Run(suite, func(t *testing.T) {
			dir := t.TempDir()
			k, err := Generate(suite)
			if err != nil {
				t.Fatal(err)
			}
			if err := k.WriteKeys(dir); err != nil {
				t.Fatal(err)
			}
			if err := k.WriteKeys(dir); err == nil {
				t.Fatal("an existing key was overwritten")
			}
			fi, _ := os.Stat(filepath.Join(dir, PrivateKeyFile))
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("private key mode %v", fi.Mode().Perm())
			}
			back, err := LoadSigner(filepath.Join(dir, PrivateKeyFile))
			if err != nil {
				t.Fatal(err)
			}
			if back.Alg() != SignAlgOf(suite) || back.KeyID() != k.KeyID() || len(k.KeyID()) != 16 {
				t.Fatalf("alg %s key %s / %s", back.Alg(), back.KeyID(), k.KeyID())
			}
			msg := []byte(`{"seq":42,"hash":"abc"}`)
			sig, err := back.Sign(msg)
			if err != nil {
				t.Fatal(err)
			}
			pub, _ := os.ReadFile(filepath.Join(dir, PublicKeyFile))
			if err := Verify(back.Alg(), pub, msg, sig); err != nil {
				t.Fatalf("verify with its own key: %v", err)
			}
			other, _ := Generate(suite)
			otherPub, _ := other.PublicPEM()
			if Verify(back.Alg(), otherPub, msg, sig) == nil {
				t.Fatal("verified with another key")
			}
			wrong := Ed25519
			if back.Alg() == Ed25519 {
				wrong = SM2
			}
			if Verify(wrong, pub, msg, sig) == nil {
				t.Fatal("verified under the other algorithm")
			}
			if suite == SuiteGM && !strings.Contains(string(mustPEM(t, back)), "PRIVATE KEY") {
				t.Fatal("SM2 key not in standard PEM")
			}
		})
	}
}

func mustPEM(t *testing.T, s *Signer) []byte {
	b, err := s.PrivatePEM()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHMAC: HMAC-SHA256 against RFC 4231 test case 2; HMAC-SM3 against
// the RFC 2104 construction written out with SM3 (64-byte blocks).
func TestHMAC(t *testing.T) {
	key, msg := []byte("Jefe"), []byte("what do ya want for nothing?")
	got, err := HMAC(SHA256, key, msg)
	if err != nil || got != "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" {
		t.Fatalf("HMAC-SHA256 = %s, %v", got, err)
	}
	ipad, opad := make([]byte, 64), make([]byte, 64)
	copy(ipad, key)
	copy(opad, key)
	for i := range ipad {
		ipad[i] ^= 0x36
		opad[i] ^= 0x5c
	}
	inner := sm3.Sum(append(ipad, msg...))
	want := sm3.Sum(append(opad, inner[:]...))
	sm, err := HMAC(SM3, key, msg)
	if err != nil || sm != hex.EncodeToString(want[:]) {
		t.Fatalf("HMAC-SM3 = %s, %v; want %x", sm, err, want)
	}
	if _, err := HMAC("md5", nil, nil); err == nil {
		t.Fatal("an unknown hash must be refused")
	}
}

// BenchmarkSum: the cost of hashing one audit event's canonical bytes
// (about 600 bytes) with each algorithm — what verify pays per event.
func BenchmarkSum(b *testing.B) {
	event := bytes.Repeat([]byte(`{"actor_id":3,"data":{"progress":"按计划推进"},"event":"report_execution"}`), 8)[:600]
	for _, alg := range []string{SHA256, SM3} {
		b.Run(alg, func(b *testing.B) {
			b.SetBytes(int64(len(event)))
			for b.Loop() {
				if _, err := Sum(alg, []byte("prev"), event); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
