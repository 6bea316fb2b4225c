// The chat panel: a scrolling history (#chat-log) and the line to type in (#chat-input,
// #chat-type). Lines from the server are strangers' text: they go into the page with
// textContent only. `/N text` says the text on channel N (for scripts that listen there).

import { CHAT_TYPE_NAMES, utf8Length, LIMITS } from './protocol.js';

const MAX_LINES = 250;
const MAX_SHOWN_CHARS = 1100;
const TYPE_VALUES = { whisper: 0, say: 1, shout: 2 };

/** What the user typed → { channel, text } or { problem }. */
export function parseChatInput(raw) {
  const input = String(raw ?? '');
  let channel = 0;
  let text = input;
  const match = /^\/(-?\d+)(?:\s+|$)([\s\S]*)$/.exec(input);
  if (match) {
    channel = Number(match[1]);
    text = match[2];
    if (!Number.isSafeInteger(channel) || channel < -2147483648 || channel > 2147483647) {
      return { problem: `There is no channel ${match[1]}: channels go from -2147483648 to 2147483647.` };
    }
  }
  if (text.trim() === '') return { problem: null, empty: true };
  if (utf8Length(text) > LIMITS.chat) {
    return { problem: `That line is too long: at most ${LIMITS.chat} bytes can be said at once.` };
  }
  return { channel, text };
}

export class ChatPanel {
  constructor({ log, input, type }) {
    this.log = log;
    this.input = input;
    this.type = type;
    this.session = null;
    this.#listen = (event) => this.#received(event.detail);
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.isComposing) {
        event.preventDefault();
        this.#send();
      } else if (event.key === 'Escape') {
        input.blur();
      }
    });
    // Choosing how loud goes on to typing, not back to the world.
    type.addEventListener('change', () => input.focus());
    window.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && this.session && document.activeElement === document.body) {
        event.preventDefault();
        input.focus();
      }
    });
  }

  #listen;

  attach(session) {
    this.detach();
    this.session = session;
    session.addEventListener('chat', this.#listen);
  }

  detach() {
    this.session?.removeEventListener('chat', this.#listen);
    this.session = null;
  }

  clear() {
    this.log.replaceChildren();
  }

  #send() {
    if (!this.session) return;
    const parsed = parseChatInput(this.input.value);
    if (parsed.empty) return;
    if (parsed.problem) {
      this.system(parsed.problem, 'problem');
      return;
    }
    const chatType = TYPE_VALUES[this.type.value] ?? 1;
    if (!this.session.say(parsed.text, chatType, parsed.channel)) {
      this.system('Not connected: the line was not sent.', 'problem');
      return;
    }
    this.input.value = '';
    if (parsed.channel !== 0) this.system(`(said on channel ${parsed.channel}: only scripts hear it)`);
  }

  #received(chat) {
    const line = document.createElement('div');
    line.className = 'chat-line';
    const type = CHAT_TYPE_NAMES[chat.chatType] ?? 'say';
    line.dataset.speaker = chat.speakerName;
    line.dataset.type = type;
    line.dataset.channel = String(chat.channel);
    line.classList.add(`chat-${type}`);
    if (chat.speakerKind === 2) line.classList.add('chat-object');
    if (chat.isSelf) line.classList.add('chat-self');
    const name = document.createElement('span');
    name.className = 'chat-name';
    name.textContent = chat.speakerName;
    const text = document.createElement('span');
    text.className = 'chat-text';
    text.textContent = `: ${cut(chat.text)}`;
    line.append(name, text);
    this.#append(line);
  }

  /** A line of the viewer's own (not chat): region changes, errors, notes. */
  system(message, kind = 'note') {
    const line = document.createElement('div');
    line.className = `chat-system chat-${kind}`;
    line.textContent = cut(String(message));
    this.#append(line);
  }

  #append(line) {
    const atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    this.log.append(line);
    while (this.log.childElementCount > MAX_LINES) this.log.firstElementChild.remove();
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
  }
}

function cut(text) {
  const chars = Array.from(text);
  return chars.length <= MAX_SHOWN_CHARS ? text : `${chars.slice(0, MAX_SHOWN_CHARS).join('')}…`;
}
