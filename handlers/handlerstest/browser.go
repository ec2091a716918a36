package handlerstest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ---- a real browser: Debian's Chromium driven by chromedp ----

// ChromiumEnv names a Chromium binary to use instead of /usr/bin/chromium.
const ChromiumEnv = "DECISIOND_CHROMIUM"

// ScreenshotsEnv names a folder the browser tests write screenshots to
// (nothing generated is committed).
const ScreenshotsEnv = "DECISIOND_SCREENSHOTS"

// chromium finds the browser, or "" when there is none.
func chromium() string {
	if p := os.Getenv(ChromiumEnv); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Chrome is one headless Chromium for a test; each Tab is a separate
// signed-in person (its own cookies).
type Chrome struct {
	alloc context.Context
	tb    testing.TB
}

// NewChrome starts a headless Chromium with a fresh profile, or skips the
// test with the reason when Chromium is not installed. It ends with the
// test.
func NewChrome(tb testing.TB) *Chrome {
	tb.Helper()
	path := chromium()
	if path == "" {
		tb.Skip("browser test skipped: Chromium not found (apt-get install -y chromium fonts-noto-cjk, or set " + ChromiumEnv + ")")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("lang", "zh-CN"), chromedp.Flag("font-render-hinting", "none"),
		chromedp.UserDataDir(tb.TempDir()), chromedp.WindowSize(1280, 900),
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	tb.Cleanup(cancel)
	// Start the browser once, so that a missing or broken one is reported
	// here rather than in the middle of a test.
	ctx, cancelTab := chromedp.NewContext(alloc)
	tb.Cleanup(cancelTab)
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("start Chromium %s: %v", path, err)
	}
	return &Chrome{alloc: ctx, tb: tb}
}

// Tab opens a tab in a browser context of its own (its own cookies, like
// another person's browser). Each action it runs times out after a minute.
func (c *Chrome) Tab() context.Context {
	c.tb.Helper()
	ctx, cancel := chromedp.NewContext(c.alloc, chromedp.WithNewBrowserContext())
	c.tb.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		c.tb.Fatalf("open a tab: %v", err)
	}
	return ctx
}

// Do runs browser steps in the tab with a time limit, failing the test on
// error.
func Do(tb testing.TB, tab context.Context, steps ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.Fatalf("browser: %v", err)
	}
}

// Get runs one browser action that returns a value, failing the test on
// error.
func Get[T any](tb testing.TB, tab context.Context, a chromedp.Action[T]) T {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.Fatalf("browser: %v", err)
	}
	return v
}

// Screenshot writes a full-page screenshot name.png into the folder named
// by DECISIOND_SCREENSHOTS, when it is set.
func Screenshot(tb testing.TB, tab context.Context, name string) {
	tb.Helper()
	dir := os.Getenv(ScreenshotsEnv)
	if dir == "" {
		return
	}
	png := Get(tb, tab, chromedp.FullScreenshot(100))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// TabTo moves the keyboard focus with the Tab key, as a person would,
// until it is on the element with the id (at most 200 presses).
func TabTo(tb testing.TB, tab context.Context, id string) {
	tb.Helper()
	for range 200 {
		if Get(tb, tab, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`)) == id {
			return
		}
		Do(tb, tab, chromedp.KeyEvent("\t"))
	}
	tb.Fatalf("the Tab key never reached #%s", id)
}

// SignIn signs the tab in through the sign-in form.
func (e *Env) SignInTab(tb testing.TB, tab context.Context, name, password string) {
	tb.Helper()
	Do(tb, tab, chromedp.Navigate(e.Srv.URL+"/login"),
		chromedp.SendKeys(chromedp.ID("name"), name), chromedp.SendKeys(chromedp.ID("password"), password))
	Navigating(tb, tab, chromedp.Submit(chromedp.ID("password")))
	Do(tb, tab, chromedp.WaitVisible(chromedp.CSS("nav.mainnav")))
}

// Text is the text of the page's main part.
func Text(tb testing.TB, tab context.Context) string {
	tb.Helper()
	return Get(tb, tab, chromedp.Text(chromedp.CSS("main")))
}

// Navigating runs steps that load a new page (a form's submission, a
// link) and waits until the new page has loaded.
func Navigating(tb testing.TB, tab context.Context, steps ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	Get(tb, tab, chromedp.Evaluate[bool](`window.__decisiondOld = true`))
	Do(tb, tab, steps...)
	// Each check is its own evaluation: the page (and its JavaScript
	// context) is replaced while we wait, which one long poll would not
	// survive.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(tab, 5*time.Second)
		done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!window.__decisiondOld && document.readyState === "complete"`))
		cancel()
		if err == nil && done {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatal("browser: the page did not load within 30 s")
}
