"""What the browser tests measure on a rendered page, as one JavaScript expression for
`Browser.visit`: page-level horizontal scroll, and every SVG text (axis labels, legends, titles,
chart labels) against its chart's box and the other texts of the same chart, measured with
getBoundingClientRect (the rendered box, transforms included), plus truncated labels (Vega
cuts a label that passes its limit with an ellipsis)."""

from __future__ import annotations

LAYOUT_FACTS = r"""(() => {
  const doc = document.documentElement;
  const facts = {scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, texts: 0, words: '', problems: []};
  const svgs = [...document.querySelectorAll('svg')].filter(s => !s.parentElement.closest('svg'));
  svgs.forEach((svg, k) => {
    const holder = svg.closest('figure, .tile');
    const name = (holder && (holder.id || (holder.querySelector('.title') || holder.querySelector('.label') || {}).textContent)) || ('svg ' + k);
    const box = svg.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) { return; }
    const texts = [...svg.querySelectorAll('text')]
      .filter(t => t.textContent.trim() !== '' && t.getClientRects().length > 0)
      .map(t => ({text: t.textContent.trim(), r: t.getBoundingClientRect()}));
    facts.texts += texts.length;
    facts.words += ' ' + [...svg.querySelectorAll('text')].map(t => [...t.childNodes].map(c => c.textContent).join(' ')).join(' ');
    const slack = 1.5;
    texts.forEach(t => {
      if (t.r.left < box.left - slack || t.r.right > box.right + slack ||
          t.r.top < box.top - slack || t.r.bottom > box.bottom + slack) {
        facts.problems.push({chart: name, kind: 'outside', text: t.text});
      }
      if (t.text.endsWith('\u2026')) { facts.problems.push({chart: name, kind: 'truncated', text: t.text}); }
    });
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i].r, b = texts[j].r;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1.5 && h > 1.5) {
          facts.problems.push({chart: name, kind: 'overlap', text: texts[i].text + ' / ' + texts[j].text});
        }
      }
    }
  });
  return facts;
})()"""
