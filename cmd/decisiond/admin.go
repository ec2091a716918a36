package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"decisiond/store"
	"decisiond/workflow"
)

// The administration commands act as the operator who holds the database
// (store.System): every act is audited like the API's.

// withDB parses a subcommand's flags, opens the database and runs fn.
func withDB(ctx context.Context, name string, args []string, stderr io.Writer, bind func(fs *flagSet), fn func(db *store.DB) error) error {
	var cfg config
	fs := &flagSet{newFlags(name, &cfg, stderr)}
	bind(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db)
}

func splitList(s string) []string {
	var out []string
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

func roleCodes() string {
	var out []string
	for _, r := range workflow.AllRoles {
		out = append(out, r.Code)
	}
	return strings.Join(out, ", ")
}

const userUsage = "usage: decisiond user create|disable|enable|unlock|passwd|roles|list --name N …"

func userCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(userUsage)
	}
	sub, rest := args[0], args[1:]
	var name, display, roles, unit string
	var head, temporary, pwStdin bool
	nameFlag := func(fs *flagSet) { fs.StringVar(&name, "name", "", "login name") }
	byName := func(db *store.DB) (*store.User, error) {
		if name == "" {
			return nil, errors.New("--name is required")
		}
		return db.UserByName(ctx, name)
	}
	switch sub {
	case "create":
		return withDB(ctx, "user create", rest, stderr, func(fs *flagSet) {
			nameFlag(fs)
			fs.StringVar(&display, "display-name", "", "name shown in records (default: the login name)")
			fs.StringVar(&roles, "role", "", "roles, comma-separated: "+roleCodes())
			fs.StringVar(&unit, "unit", "", "unit: full name, short name (unique suffix such as 交通运输局) or id")
			fs.BoolVar(&head, "head", false, "the head of the --unit given (an organ's 行政首长)")
		}, func(db *store.DB) error {
			nu := store.NewUser{Name: name, DisplayName: display, Head: head, Roles: splitList(roles)}
			if unit != "" {
				u, err := db.ResolveUnit(ctx, unit)
				if err != nil {
					return err
				}
				nu.UnitID = &u.ID
			}
			u, err := db.CreateUser(ctx, store.System, nu)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "user %s created (id %d, roles %s); set a password with: decisiond user passwd --name %s --password-stdin --temporary\n",
				u.Name, u.ID, u.Roles, u.Name)
			return nil
		})
	case "disable", "enable", "unlock":
		return withDB(ctx, "user "+sub, rest, stderr, nameFlag, func(db *store.DB) error {
			u, err := byName(db)
			if err != nil {
				return err
			}
			switch sub {
			case "disable":
				_, err = db.SetDisabled(ctx, store.System, u.ID, true)
			case "enable":
				_, err = db.SetDisabled(ctx, store.System, u.ID, false)
			default:
				_, err = db.Unlock(ctx, store.System, u.ID)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "user %s: %sd\n", u.Name, strings.TrimSuffix(sub, "e"))
			return nil
		})
	case "passwd":
		return withDB(ctx, "user passwd", rest, stderr, func(fs *flagSet) {
			nameFlag(fs)
			fs.BoolVar(&pwStdin, "password-stdin", false, "read the password from standard input (one line)")
			fs.BoolVar(&temporary, "temporary", false, "the person must change it at the next sign-in")
		}, func(db *store.DB) error {
			if !pwStdin {
				return errors.New("the password is read from standard input: give --password-stdin (never on the command line)")
			}
			u, err := byName(db)
			if err != nil {
				return err
			}
			line, err := bufio.NewReader(io.LimitReader(stdin, 1024)).ReadString('\n')
			if err != nil && !errors.Is(err, io.EOF) {
				return err
			}
			pw := strings.TrimRight(line, "\r\n")
			if err := db.SetPassword(ctx, store.System, u.ID, pw, temporary); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "password of %s set (temporary: %v)\n", u.Name, temporary)
			return nil
		})
	case "roles":
		return withDB(ctx, "user roles", rest, stderr, func(fs *flagSet) {
			nameFlag(fs)
			fs.StringVar(&roles, "role", "", "the roles, comma-separated (replaces the present ones): "+roleCodes())
		}, func(db *store.DB) error {
			u, err := byName(db)
			if err != nil {
				return err
			}
			if u, err = db.SetRoles(ctx, store.System, u.ID, splitList(roles)); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "user %s: roles %s\n", u.Name, u.Roles)
			return nil
		})
	case "list":
		return withDB(ctx, "user list", rest, stderr, func(*flagSet) {}, func(db *store.DB) error {
			us, err := db.Users(ctx, store.System)
			if err != nil {
				return err
			}
			for _, u := range us {
				state := "active"
				switch {
				case u.Disabled():
					state = "disabled"
				case u.LockedUntil != nil && store.ParseTime(*u.LockedUntil).After(db.Now()):
					state = "locked"
				}
				unit := "-"
				if u.UnitID != nil {
					unit = fmt.Sprint(*u.UnitID)
				}
				fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\tunit %s\t%s\n", u.ID, u.Name, u.DisplayName, u.Roles, unit, state)
			}
			return nil
		})
	}
	return errors.New(userUsage)
}

const tokenUsage = "usage: decisiond token create --user N [--label L] [--expires 90d|YYYY-MM-DD|never] | list --user N | revoke --token T | --user N"

func tokenCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(tokenUsage)
	}
	sub, rest := args[0], args[1:]
	var user, label, expires, token string
	switch sub {
	case "create":
		return withDB(ctx, "token create", rest, stderr, func(fs *flagSet) {
			fs.StringVar(&user, "user", "", "login name")
			fs.StringVar(&label, "label", "cli", "what the token is for")
			fs.StringVar(&expires, "expires", "90d", "lifetime (e.g. 90d, 12h), a date YYYY-MM-DD, or never")
		}, func(db *store.DB) error {
			u, err := db.UserByName(ctx, user)
			if err != nil {
				return err
			}
			exp, err := parseExpiry(expires, db.Now())
			if err != nil {
				return err
			}
			tok, _, err := db.CreateToken(ctx, store.System, store.NewToken{UserID: u.ID, Label: label, ExpiresAt: exp})
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, tok)
			return nil
		})
	case "list":
		return withDB(ctx, "token list", rest, stderr, func(fs *flagSet) { fs.StringVar(&user, "user", "", "login name") }, func(db *store.DB) error {
			u, err := db.UserByName(ctx, user)
			if err != nil {
				return err
			}
			ts, err := db.Tokens(ctx, store.System, u.ID)
			if err != nil {
				return err
			}
			for _, t := range ts {
				state := "live"
				switch {
				case t.RevokedAt != nil:
					state = "revoked " + *t.RevokedAt
				case t.ExpiresAt != nil && store.ParseTime(*t.ExpiresAt).Before(db.Now()):
					state = "expired"
				}
				exp := "never"
				if t.ExpiresAt != nil {
					exp = *t.ExpiresAt
				}
				fmt.Fprintf(stdout, "%d\t%s\t%s\tcreated %s\texpires %s\t%s\n", t.ID, t.Label, t.Prefix, t.CreatedAt, exp, state)
			}
			return nil
		})
	case "revoke":
		return withDB(ctx, "token revoke", rest, stderr, func(fs *flagSet) {
			fs.StringVar(&token, "token", "", "the token to revoke")
			fs.StringVar(&user, "user", "", "revoke every token of this user")
		}, func(db *store.DB) error {
			switch {
			case token != "" && user == "":
				if _, err := db.RevokeTokenValue(ctx, store.System, token); err != nil {
					return err
				}
				fmt.Fprintln(stdout, "token revoked")
			case user != "" && token == "":
				u, err := db.UserByName(ctx, user)
				if err != nil {
					return err
				}
				n, err := db.RevokeUserTokens(ctx, store.System, u.ID)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "%d token(s) of %s revoked\n", n, u.Name)
			default:
				return errors.New("give exactly one of --token or --user")
			}
			return nil
		})
	}
	return errors.New(tokenUsage)
}

// parseExpiry reads 90d, 12h, a date (that day's end in China) or never.
func parseExpiry(s string, now time.Time) (*time.Time, error) {
	switch {
	case s == "never":
		t := time.Time{}
		return &t, nil
	case strings.HasSuffix(s, "d"):
		var n int
		if _, err := fmt.Sscanf(s, "%dd", &n); err == nil && n > 0 {
			t := now.Add(time.Duration(n) * 24 * time.Hour)
			return &t, nil
		}
	default:
		if d, err := time.ParseDuration(s); err == nil && d > 0 {
			t := now.Add(d)
			return &t, nil
		}
		if d, err := workflow.ParseDate(s); err == nil {
			t := d.Add(16 * time.Hour) // the end of that day in China
			return &t, nil
		}
	}
	return nil, fmt.Errorf("--expires %q: give a lifetime such as 90d or 12h, a date YYYY-MM-DD, or never", s)
}

func unitCmd(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) error {
	var name, short, kind, parent, organ, head, review string
	switch {
	case cmd == "unit" && len(args) > 0 && args[0] == "create":
		return withDB(ctx, "unit create", args[1:], stderr, func(fs *flagSet) {
			fs.StringVar(&name, "name", "", "full name (e.g. 西宁市交通运输局)")
			fs.StringVar(&short, "short-name", "", "short name (e.g. 交通运输局)")
			fs.StringVar(&kind, "kind", "unit", "organ (决策机关) or unit")
			fs.StringVar(&parent, "parent", "", "the organ a unit belongs to: name, short name or id")
		}, func(db *store.DB) error {
			nu := store.NewUnit{Name: name, ShortName: short, Kind: kind}
			if parent != "" {
				p, err := db.ResolveUnit(ctx, parent)
				if err != nil {
					return err
				}
				nu.ParentID = &p.ID
			}
			u, err := db.CreateUnit(ctx, store.System, nu)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s %s created (id %d)\n", u.Kind, u.Name, u.ID)
			return nil
		})
	case cmd == "organ" && len(args) > 0 && args[0] == "set":
		return withDB(ctx, "organ set", args[1:], stderr, func(fs *flagSet) {
			fs.StringVar(&organ, "organ", "", "the organ: name, short name or id")
			fs.StringVar(&head, "head", "", "login name of the organ's head (行政首长)")
			fs.StringVar(&review, "review-unit", "", "the organ's legality-review body (e.g. 司法局)")
		}, func(db *store.DB) error {
			o, err := db.ResolveUnit(ctx, organ)
			if err != nil {
				return err
			}
			var s store.OrganSettings
			if head != "" {
				u, err := db.UserByName(ctx, head)
				if err != nil {
					return err
				}
				s.HeadUserID = &u.ID
			}
			if review != "" {
				r, err := db.ResolveUnit(ctx, review)
				if err != nil {
					return err
				}
				s.ReviewUnitID = &r.ID
			}
			u, err := db.SetOrgan(ctx, store.System, o.ID, s)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "organ %s: head user %v, review unit %v\n", u.Name, deref(u.HeadUserID), deref(u.ReviewUnitID))
			return nil
		})
	}
	return errors.New("usage: decisiond unit create --name N --kind organ|unit [--parent UNIT] | decisiond organ set --organ UNIT [--head USER] [--review-unit UNIT]")
}

func deref(p *int64) any {
	if p == nil {
		return "-"
	}
	return *p
}

// flagSet is a flag.FlagSet (a named type so helpers can take it).
type flagSet struct{ *flag.FlagSet }
