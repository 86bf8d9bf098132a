// The saved-image history: `GET /api/history` (newest first), each entry a PNG that carries
// its palette (iTXt `semantic-draw`), downloadable as <a class="history-download">.

export class HistoryList {
  constructor(list, onError) {
    this.list = list;       // the <ul id="history">
    this.onError = onError;
    this.entries = [];
  }

  async refresh() {
    let entries;
    try {
      const response = await fetch('/api/history', { cache: 'no-store' });
      if (!response.ok) throw new Error(`GET /api/history answered ${response.status}`);
      entries = await response.json();
      if (!Array.isArray(entries)) throw new Error('GET /api/history did not answer a list');
    } catch (error) {
      this.onError(`history: ${error.message}`);
      return;
    }
    this.entries = entries;
    this.render();
  }

  render() {
    this.list.replaceChildren();
    if (this.entries.length === 0) {
      const empty = document.createElement('li');
      empty.className = 'history-empty';
      empty.textContent = 'Nothing saved yet: press Save to keep the current frame.';
      this.list.append(empty);
      return;
    }
    for (const entry of this.entries) {
      const item = document.createElement('li');
      item.className = 'history-item';
      item.dataset.id = entry.id;
      const link = document.createElement('a');
      link.className = 'history-download';
      link.href = entry.url;
      link.download = `semantic-draw-${entry.id}.png`;
      link.title = 'Download the PNG (it carries its palette: open it with semantic-draw generate --palette)';
      const thumb = document.createElement('img');
      thumb.src = entry.url;
      thumb.alt = `saved ${entry.id}`;
      thumb.loading = 'lazy';
      link.append(thumb);
      const caption = document.createElement('div');
      caption.className = 'history-caption';
      const when = entry.created ? new Date(entry.created).toLocaleString() : entry.id;
      const prompts = Array.isArray(entry.prompts) ? entry.prompts.join(' · ') : '';
      caption.textContent = prompts ? `${when}: ${prompts}` : when;
      item.append(link, caption);
      this.list.append(item);
    }
  }
}
