// Files dropped on a form (the workbench's CSV, the portfolio view's CSVs): the form is marked
// 'dropping' while files hover over it, and the dropped ones go to a handler.

/** @param {HTMLElement} form @param {(files: File[]) => unknown} onDrop */
export function acceptDrops(form, onDrop) {
  for (const type of ['dragenter', 'dragover']) {
    form.addEventListener(type, (/** @type {Event} */ e) => {
      e.preventDefault();
      form.classList.add('dropping');
    });
  }
  form.addEventListener('dragleave', (/** @type {DragEvent} */ e) => {
    if (!form.contains(/** @type {Node | null} */ (e.relatedTarget))) form.classList.remove('dropping');
  });
  form.addEventListener('drop', (/** @type {DragEvent} */ e) => {
    e.preventDefault();
    form.classList.remove('dropping');
    onDrop([...(e.dataTransfer?.files ?? [])]);
  });
}
