// Progressive enhancement only: every page works without this script.

document.addEventListener('DOMContentLoaded', () => {
  // A form sent back with errors: move the focus to the error summary, so it is read out first.
  const alert = document.querySelector('[data-focus]');
  if (alert) alert.focus();

  // License upgrade order: the To count fills itself in from the From count and what the order adds.
  for (const input of document.querySelectorAll('input[data-adds]')) {
    const target = document.getElementById(input.dataset.to);
    const update = () => {
      const from = Number.parseInt(input.value, 10);
      target.textContent =
        Number.isInteger(from) && from >= 0 ? String(from + Number(input.dataset.adds)) : '–';
    };
    input.addEventListener('input', update);
    update();
  }

  // Confirmation before an irreversible step (the download is already saved by then).
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
});
