/** The tools this server offers. Add yours here; each declares the scopes it needs. */
import { addNote, listNotes } from './notes.js';
import { whoami } from './whoami.js';

export const TOOLS = [whoami, listNotes, addNote];
