/** Just enough HTML reading to fill in a server's own login and consent forms the way a browser would. */
export interface FormField {
  tag: 'input' | 'button';
  type: string;
  name: string;
  value: string;
  checked: boolean;
}

export interface HtmlForm {
  method: string;
  action: string;
  fields: FormField[];
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

function attributes(tag: string): Map<string, string> {
  const result = new Map<string, string>();
  const body = tag.replace(/^<\w+/, '').replace(/\/?>$/, '');
  for (const match of body.matchAll(/([a-zA-Z_:][\w:.-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    const value = match[2] ?? match[3] ?? match[4] ?? '';
    result.set(match[1]!.toLowerCase(), value.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity));
  }
  return result;
}

export function parseForms(html: string): HtmlForm[] {
  return [...html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/gi)].map((match) => {
    const form = attributes(/<form\b[^>]*>/i.exec(match[0])![0]);
    const fields: FormField[] = [];
    for (const tagMatch of match[1]!.matchAll(/<(input|button)\b[^>]*>/gi)) {
      const attrs = attributes(tagMatch[0]);
      const name = attrs.get('name');
      if (!name) continue;
      const tag = tagMatch[1]!.toLowerCase() as 'input' | 'button';
      fields.push({
        tag,
        type: (attrs.get('type') ?? (tag === 'button' ? 'submit' : 'text')).toLowerCase(),
        name,
        value: attrs.get('value') ?? '',
        checked: attrs.has('checked'),
      });
    }
    return { method: (form.get('method') ?? 'get').toLowerCase(), action: form.get('action') ?? '', fields };
  });
}

/** What a browser submits: hidden and text inputs (with `values` filled in), checked boxes, the button pressed. */
export function submission(form: HtmlForm, values: Record<string, string>, button?: FormField): [string, string][] {
  const pairs: [string, string][] = [];
  for (const field of form.fields) {
    if (field.tag !== 'input' || field.type === 'submit') continue;
    if (field.type === 'checkbox' || field.type === 'radio') {
      if (field.checked) pairs.push([field.name, field.value || 'on']);
    } else {
      pairs.push([field.name, values[field.name] ?? field.value]);
    }
  }
  if (button) pairs.push([button.name, button.value]);
  return pairs;
}
