// Non-intrusive messages: the status line (#status) keeps the latest one; errors and notes also
// appear as toasts (#toasts) that fade after a few seconds.

const TOAST_MS = 6000;
const MAX_TOASTS = 4;

export class Notifier {
  constructor(status, toasts) {
    this.status = status;
    this.toasts = toasts;
  }

  show(message, isError = false) {
    this.status.textContent = message;
    this.status.classList.toggle('error', isError);
    if (isError) console.warn(message);
    const toast = document.createElement('div');
    toast.className = isError ? 'toast error' : 'toast';
    toast.textContent = message;
    toast.addEventListener('click', () => toast.remove());
    this.toasts.append(toast);
    while (this.toasts.children.length > MAX_TOASTS) this.toasts.firstChild.remove();
    setTimeout(() => toast.remove(), TOAST_MS);
  }
}
