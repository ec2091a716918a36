// 打印: the print links print the page in place. Without JavaScript they
// open the page's print view (?print=1), which prints the same.
document.addEventListener("click", function (e) {
  var a = e.target.closest && e.target.closest("a.print");
  if (!a || !window.print) return;
  e.preventDefault();
  window.print();
});
