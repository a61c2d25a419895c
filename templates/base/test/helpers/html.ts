/** Just enough HTML reading to fill in the server's own login and consent forms the way a browser would. */

export interface HtmlField {
  tag: 'input' | 'button';
  type: string;
  name: string;
  value: string;
  checked: boolean;
}

export interface HtmlForm {
  method: string;
  action: string;
  fields: HtmlField[];
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};

function unescapeHtml(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity);
}

/** The attributes of one opening tag, e.g. `<input type="hidden" name="a" value="b" checked>`. */
export function attributes(tag: string): Map<string, string> {
  const result = new Map<string, string>();
  const body = tag.replace(/^<\w+/, '').replace(/\/?>$/, '');
  for (const match of body.matchAll(
    /([a-zA-Z_:][\w:.-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g,
  )) {
    const name = match[1]!.toLowerCase();
    result.set(name, unescapeHtml(match[2] ?? match[3] ?? match[4] ?? ''));
  }
  return result;
}

export function parseForms(html: string): HtmlForm[] {
  return [...html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/gi)].map((match) => {
    const form = attributes(/<form\b[^>]*>/i.exec(match[0])![0]);
    const fields: HtmlField[] = [];
    for (const tagMatch of match[1]!.matchAll(/<(input|button)\b[^>]*>/gi)) {
      const attrs = attributes(tagMatch[0]);
      const name = attrs.get('name');
      if (!name) continue;
      fields.push({
        tag: tagMatch[1]!.toLowerCase() as 'input' | 'button',
        type: (
          attrs.get('type') ?? (tagMatch[1]!.toLowerCase() === 'button' ? 'submit' : 'text')
        ).toLowerCase(),
        name,
        value: attrs.get('value') ?? '',
        checked: attrs.has('checked'),
      });
    }
    return {
      method: (form.get('method') ?? 'get').toLowerCase(),
      action: form.get('action') ?? '',
      fields,
    };
  });
}

export function findForm(html: string, action: string): HtmlForm | undefined {
  return parseForms(html).find((form) => form.action === action);
}

/** The `value`s of the form's checkboxes named `name`, and which of them are checked. */
export function checkboxes(form: HtmlForm, name: string): { value: string; checked: boolean }[] {
  return form.fields
    .filter((field) => field.type === 'checkbox' && field.name === name)
    .map(({ value, checked }) => ({ value, checked }));
}

/** Hidden inputs as name/value pairs, in document order. */
export function hiddenFields(form: HtmlForm): [string, string][] {
  return form.fields
    .filter((field) => field.type === 'hidden')
    .map((field) => [field.name, field.value]);
}

/** What a browser submits: hidden and text inputs, checked boxes (unless `checked` overrides them), the button pressed. */
export function submission(
  form: HtmlForm,
  options: {
    checked?: Record<string, readonly string[]>;
    button?: { name: string; value: string };
    values?: Record<string, string>;
  } = {},
): [string, string][] {
  const pairs: [string, string][] = [];
  const overridden = new Set(Object.keys(options.checked ?? {}));
  for (const field of form.fields) {
    if (field.tag !== 'input') continue;
    if (field.type === 'checkbox') {
      if (!overridden.has(field.name) && field.checked) pairs.push([field.name, field.value]);
    } else if (field.type !== 'submit') {
      pairs.push([field.name, options.values?.[field.name] ?? field.value]);
    }
  }
  for (const [name, values] of Object.entries(options.checked ?? {})) {
    for (const value of values) pairs.push([name, value]);
  }
  if (options.button) pairs.push([options.button.name, options.button.value]);
  return pairs;
}

/** The `href` of every link on the page, in document order. */
export function linkTargets(html: string): string[] {
  return [...html.matchAll(/<a\b[^>]*>/gi)].map((match) => attributes(match[0]).get('href') ?? '');
}
