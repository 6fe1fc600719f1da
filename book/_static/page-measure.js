// For the page check (attribution_book.bookbuild.check_pages), invisible to the reader: once
// MathJax has typeset the page, mark display equations, tables and code cells wider than
// their column (data-overflow: the reader must scroll sideways) and
// images shown at less than MIN_SCALE of their natural width (data-shrunk: their labels
// shrink with them); every image's shown width over its natural width (data-scale), from
// which the page check computes the size of a figure's smallest text on screen.
const MIN_SCALE = 0.6;

function measurePage() {
  document.querySelectorAll("mjx-container[display='true']").forEach((box) => {
    const math = box.querySelector("mjx-math");
    const column = box.closest("div.math, .cell_output, article") || box.parentElement;
    if (math && math.getBoundingClientRect().width > column.clientWidth + 1) {
      box.setAttribute(
        "data-overflow",
        `${Math.round(math.getBoundingClientRect().width)}px in ${column.clientWidth}px`
      );
    }
  });
  const column = document.querySelector("article");
  document.querySelectorAll("article table:not(.indextable)").forEach((table) => {
    const width = table.getBoundingClientRect().width;
    if (column && width > column.clientWidth + 1) {
      table.setAttribute("data-overflow", `${Math.round(width)}px in ${column.clientWidth}px`);
    }
  });
  // code, shown or folded: a folded cell is opened to be measured, then folded again
  const folded = [...document.querySelectorAll("article details:not([open])")];
  folded.forEach((d) => d.setAttribute("open", ""));
  document.querySelectorAll("article div.cell_input pre").forEach((pre) => {
    if (pre.scrollWidth > pre.clientWidth + 1) {
      pre.setAttribute("data-overflow", `${pre.scrollWidth}px in ${pre.clientWidth}px`);
    }
  });
  folded.forEach((d) => d.removeAttribute("open"));
  document.querySelectorAll("article img").forEach((img) => {
    if (!img.naturalWidth) return;
    img.setAttribute("data-scale", (img.width / img.naturalWidth).toFixed(3));
    if (img.width < MIN_SCALE * img.naturalWidth) {
      img.setAttribute("data-shrunk", `${img.width}px of ${img.naturalWidth}px`);
    }
  });
  document.body.setAttribute("data-height", document.documentElement.scrollHeight);
  document.body.setAttribute("data-measured", "true");
}

window.addEventListener("load", () => {
  const typeset = window.MathJax && MathJax.startup && MathJax.startup.promise;
  (typeset || Promise.resolve()).then(measurePage);
});
