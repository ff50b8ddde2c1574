// Served as a file: the Content-Security-Policy allows no inline script.
document.addEventListener('click', async (event) => {
  const button = event.target.closest('[data-copy-target]');
  if (!button) return;
  const source = document.getElementById(button.dataset.copyTarget);
  const status = button.parentElement.querySelector('.copy-status');
  const text = source ? source.textContent.trim() : '';
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'Copied';
    if (status) status.textContent = 'Copied to the clipboard.';
  } catch {
    // Clipboard API unavailable (e.g. plain http on a remote host): select it for Ctrl+C.
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    if (status) status.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
  }
});
