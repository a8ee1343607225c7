import { ESLint } from 'eslint';

/** What `npm run lint` says of `code` were it the file at `filePath`: the rules that fail, in order. */
async function failingRules(filePath: string, code: string): Promise<string[]> {
  const [result] = await new ESLint().lintText(code, { filePath });
  return result.messages.map((message) => message.ruleId ?? message.message);
}

describe('the lint rule that keeps the layers running one way (README "Layout")', () => {
  it.each([
    ['storage importing its callers', 'src/db/deliveries.ts', "import { deliverEvent } from '../workflows/deliver-event';\nexport const x = deliverEvent;\n"],
    ['settings importing storage', 'src/config.ts', "import { createSecretBox } from './db/secret-box';\nexport const x = createSecretBox;\n"],
    ["the API importing the worker's code", 'src/api/webhook-url.ts', "import { createHttpSender } from '../activities/http-sender';\nexport const x = createHttpSender;\n"],
    ["the receiver's helper importing the worker's code", 'src/client/verify-signature.ts', "import { createDeliveryActivities } from '../activities/delivery';\nexport const x = createDeliveryActivities;\n"],
    ['the worker importing the API', 'src/worker/main.ts', "import { buildApp } from '../api/app';\nexport const x = buildApp;\n"],
    ['the client importing database types', 'src/client/delivery-workflows.ts', "import type { Delivery } from '../db/deliveries';\nexport type X = Delivery;\n"],
    ['the domain importing anything above it', 'src/domain/deliveries.ts', "import type { Config } from '../config';\nexport type X = Config;\n"],
    ['a workflow importing an activity as a value', 'src/workflows/publish-event.ts', "import { createActivities } from '../activities';\nexport const x = createActivities;\n"],
  ])('refuses %s', async (_what, filePath, code) => {
    expect(await failingRules(filePath, code)).toContain('boundaries/dependencies');
  });

  it("allows what the layout allows: storage on the domain and the settings, workflows on their activities' types", async () => {
    expect(await failingRules('src/db/deliveries.ts', "import { isFinalStatus } from '../domain/deliveries';\nimport type { Config } from '../config';\nexport const x = isFinalStatus;\nexport type Y = Config;\n")).toEqual([]);
    expect(await failingRules('src/workflows/publish-event.ts', "import type { Activities } from '../activities';\nexport type X = Activities;\n")).toEqual([]);
  });

  it('refuses a file in no layer', async () => {
    expect(await failingRules('src/helpers/anything.ts', 'export const x = 1;\n')).toContain('boundaries/no-unknown-files');
  });
});
