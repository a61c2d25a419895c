import { z } from 'zod';
import { defineTool } from '../mcp/tool.js';
import { BASELINE_SCOPE, SCOPES } from '../oauth/scopes.js';

/** Writing needs the second scope when the server has one, so the sample shows a scope step-up. */
const WRITE_SCOPE = SCOPES[1]?.name ?? BASELINE_SCOPE;

interface Note {
  id: number;
  text: string;
  createdAt: string;
}

// Sample data kept in memory per user; replace with your own storage.
const notesByUser = new Map<string, Note[]>();

export const listNotes = defineTool({
  name: 'list_notes',
  title: 'List notes',
  description: 'Lists the notes you have added.',
  requiredScopes: [BASELINE_SCOPE],
  inputSchema: z.object({}),
  run(_input, caller) {
    const notes = notesByUser.get(caller.userId) ?? [];
    return { content: [{ type: 'text', text: JSON.stringify(notes) }] };
  },
});

export const addNote = defineTool({
  name: 'add_note',
  title: 'Add a note',
  description: 'Adds a note to your list.',
  requiredScopes: [WRITE_SCOPE],
  inputSchema: z.object({ text: z.string().min(1).max(2000).describe('The note text') }),
  run({ text }, caller) {
    const notes = notesByUser.get(caller.userId) ?? [];
    const note = { id: notes.length + 1, text, createdAt: new Date().toISOString() };
    notesByUser.set(caller.userId, [...notes, note]);
    return { content: [{ type: 'text', text: JSON.stringify(note) }] };
  },
});
