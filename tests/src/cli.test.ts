import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { json, KEYWARD, keyward } from './support/cli.js';

describe('the keyward command, end to end', () => {
  let root: string;
  let server: ChildProcess;
  let env: Record<string, string>;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'keyward-cli-'));
    server = spawn(
      process.execPath,
      [KEYWARD, 'server', 'start', '--port', '0', '--json', '--log-level', 'silent'],
      {
        cwd: root,
        env: { PATH: process.env.PATH, HOME: root },
      },
    );
    const started = await new Promise<{ url: string; adminToken: string }>((resolvePromise, reject) => {
      let text = '';
      server.stdout?.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        try {
          resolvePromise(JSON.parse(text) as { url: string; adminToken: string });
        } catch {
          // Not the whole document yet.
        }
      });
      server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    env = {
      HOME: root,
      KEYWARD_URL: started.url,
      KEYWARD_TOKEN: started.adminToken,
      KEYWARD_SDK_CONFIG: join(root, 'keyward-sdk.json'),
      KEYWARD_ANCHOR_DIR: join(root, 'anchors'),
    };
  });

  after(async () => {
    server.kill('SIGTERM');
    await new Promise((resolvePromise) => server.once('exit', resolvePromise));
    await rm(root, { recursive: true, force: true });
  });

  it('walks the quick-start: product, policy, license, SDK config, activation, check, transfer', async () => {
    await json(['admin', 'product', 'create', '--code', 'cad-pro', '--name', 'CAD Pro'], env);
    const policy = await json<{ id: string }>(
      [
        'admin',
        'policy',
        'create',
        '--product',
        'cad-pro',
        '--name',
        'Standard',
        '--check-interval-days',
        '3650',
        '--max-transfers',
        '2',
      ],
      env,
    );
    const { licenses } = await json<{ licenses: Array<{ serial: string }> }>(
      ['admin', 'license', 'create', '--policy', policy.id],
      env,
    );
    const serial = licenses[0]?.serial ?? '';
    await json(['admin', 'sdk-config', '--product', 'cad-pro', '--out', env.KEYWARD_SDK_CONFIG ?? ''], env);

    const pcA = { ...env, KEYWARD_HOME: join(root, 'a'), KEYWARD_FINGERPRINT: 'pc-a' };
    const pcB = { ...env, KEYWARD_HOME: join(root, 'b'), KEYWARD_FINGERPRINT: 'pc-b' };
    const fresh = await json<{ state: string; serial: null }>(['key', 'status'], pcA);
    assert.deepEqual([fresh.state, fresh.serial], ['evaluation', null]);

    const activated = await json<{ mode: string; status: { state: string } }>(
      ['key', 'activate', serial],
      pcA,
    );
    assert.deepEqual([activated.mode, activated.status.state], ['licensed', 'active']);
    const checked = await json<{ online: boolean }>(['key', 'check'], pcA);
    assert.equal(checked.online, false);

    const refused = await keyward(['key', 'activate', serial, '--json'], pcB);
    assert.equal(refused.code, 1);
    assert.deepEqual(JSON.parse(refused.stderr), {
      error: {
        code: 'SERIAL_BOUND_ELSEWHERE',
        message:
          'This serial number is in use on another computer: transfer it from there first (keyward key deactivate), or ask the vendor to release it.',
      },
    });

    const transfer = await json<{ transfersUsed: number }>(['key', 'deactivate'], pcA);
    assert.equal(transfer.transfersUsed, 1);
    const onB = await json<{ mode: string; online: boolean }>(['key', 'check'], pcB);
    assert.deepEqual([onB.mode, onB.online], ['licensed', true]);

    const human = await keyward(['key', 'status'], pcB);
    assert.equal(human.code, 0);
    assert.match(human.stdout, new RegExp(`Serial\\s+${serial}`));
    assert.match(human.stdout, /Transfers\s+1 of 2/);

    const shown = await keyward(['admin', 'license', 'show', serial], env);
    assert.match(shown.stdout, /History:[\s\S]*activated[\s\S]*deactivated[\s\S]*activated/);
  });

  it('walks e-mail or fax activation as 003 describes: activation request, Unlock Key screen at the next start, Unlock Key entered offline', async () => {
    await json(['admin', 'product', 'create', '--code', 'easygo', '--name', 'EasyGo'], env);
    const policy = await json<{ id: string }>(
      [
        'admin',
        'policy',
        'create',
        '--product',
        'easygo',
        '--name',
        'Offline',
        '--check-interval-days',
        '3650',
      ],
      env,
    );
    const { licenses } = await json<{ licenses: Array<{ serial: string }> }>(
      ['admin', 'license', 'create', '--policy', policy.id, '--count', '2'],
      env,
    );
    const serial = licenses[0]?.serial ?? '';
    const config = join(root, 'easygo-sdk.json');
    await json(['admin', 'sdk-config', '--product', 'easygo', '--out', config], env);
    // The computer is never online: its license server address leads nowhere.
    const offlinePc = {
      ...env,
      KEYWARD_SDK_CONFIG: config,
      KEYWARD_URL: 'http://127.0.0.1:9',
      KEYWARD_HOME: join(root, 'fax'),
      KEYWARD_FINGERPRINT: 'pc-fax',
    };
    const requestFile = join(root, 'activation-request.txt');
    const requested = await json<{ status: { state: string; pendingActivation: unknown } }>(
      ['key', 'activate', '--offline', serial, '--out', requestFile],
      offlinePc,
    );
    assert.equal(requested.status.state, 'evaluation');
    const waiting = await keyward(['key', 'status'], offlinePc);
    assert.match(waiting.stdout, /Unlock Key\s+requested/);
    assert.match(waiting.stdout, /Waiting for the Unlock Key/);
    const stillEvaluation = await json<{ mode: string; online: boolean }>(['key', 'check'], offlinePc);
    assert.deepEqual([stillEvaluation.mode, stillEvaluation.online], ['evaluation', false]);

    // Asking again (a lost mail) repeats the same request: the first file's Unlock Key still fits.
    await json(
      ['key', 'activate', '--offline', serial, '--out', join(root, 'activation-request-again.txt')],
      offlinePc,
    );

    const unlockFile = join(root, 'unlock-key.txt');
    const unlocked = await json<{ serial: string }>(
      ['admin', 'license', 'unlock', '--request', requestFile, '--out', unlockFile],
      env,
    );
    assert.equal(unlocked.serial, serial);
    const entered = await json<{ state: string; serial: string; pendingActivation: unknown }>(
      ['key', 'unlock', unlockFile],
      offlinePc,
    );
    assert.deepEqual([entered.state, entered.serial, entered.pendingActivation], ['active', serial, null]);
    const licensed = await json<{ mode: string; online: boolean }>(['key', 'check'], offlinePc);
    assert.deepEqual([licensed.mode, licensed.online], ['licensed', false]);
    const again = await keyward(['key', 'unlock', unlockFile, '--json'], offlinePc);
    assert.match(
      JSON.parse(again.stderr).error.message,
      /already activated/,
      'an Unlock Key answers one request only',
    );

    // The same binding rules as online: another computer's request for the bound serial is refused.
    const otherPc = { ...offlinePc, KEYWARD_HOME: join(root, 'fax-2'), KEYWARD_FINGERPRINT: 'pc-fax-2' };
    const otherRequest = join(root, 'activation-request-2.txt');
    await json(['key', 'activate', '--offline', serial, '--out', otherRequest], otherPc);
    const refused = await keyward(['admin', 'license', 'unlock', '--request', otherRequest, '--json'], env);
    assert.equal(JSON.parse(refused.stderr).error.code, 'SERIAL_BOUND_ELSEWHERE');
    const shown = await keyward(['admin', 'license', 'show', serial], env);
    assert.match(shown.stdout, /Bound to\s+computer/);
    // An Unlock Key for another computer does not open here.
    const wrongKey = await keyward(['key', 'unlock', unlockFile, '--json'], otherPc);
    assert.equal(JSON.parse(wrongKey.stderr).error.code, 'WRONG_KEY');
  });

  it('walks phone activation by codes: request code read out, Unlock Key code typed in offline, then a transfer once online', async () => {
    await json(['admin', 'product', 'create', '--code', 'phonego', '--name', 'PhoneGo'], env);
    const policy = await json<{ id: string }>(
      [
        'admin',
        'policy',
        'create',
        '--product',
        'phonego',
        '--name',
        'Phone',
        '--check-interval-days',
        '3650',
        '--max-transfers',
        '2',
        '--item',
        'cad.seats=3',
        '--counter',
        'exports=50',
      ],
      env,
    );
    const { licenses } = await json<{ licenses: Array<{ serial: string }> }>(
      ['admin', 'license', 'create', '--policy', policy.id],
      env,
    );
    const serial = licenses[0]?.serial ?? '';
    const config = join(root, 'phonego-sdk.json');
    await json(['admin', 'sdk-config', '--product', 'phonego', '--out', config], env);
    const phonePc = {
      ...env,
      KEYWARD_SDK_CONFIG: config,
      KEYWARD_URL: 'http://127.0.0.1:9',
      KEYWARD_HOME: join(root, 'phone'),
      KEYWARD_FINGERPRINT: 'kwfp1:machine=m-phone;cpu=xeon;memory=16;network=aa:bb;host=desk',
    };
    const requested = await json<{ code: string; status: { state: string } }>(
      ['key', 'activate', '--offline', serial],
      phonePc,
    );
    assert.match(requested.code, /^([0-9A-Z]{5}-)+[0-9A-Z]{5}$/);
    const human = await keyward(['key', 'activate', '--offline', serial], phonePc);
    assert.match(
      human.stdout,
      new RegExp(`By phone, read out the serial and this request code:\\s+${requested.code}`),
    );

    // The vendor's operator types what the customer reads out, with a typo first.
    const typo = requested.code.replace(/^./, (first) => (first === 'A' ? 'B' : 'A'));
    const mistyped = await keyward(
      ['admin', 'license', 'unlock', '--serial', serial, '--code', typo, '--json'],
      env,
    );
    assert.equal(JSON.parse(mistyped.stderr).error.code, 'CODE_MISTYPED');
    assert.match(JSON.parse(mistyped.stderr).error.message, /Group 1/);
    const unlocked = await json<{ serial: string; unlockCode: string }>(
      ['admin', 'license', 'unlock', '--serial', serial, '--code', requested.code],
      env,
    );
    assert.equal(unlocked.serial, serial);
    // Read back over the phone, typed in groups apart and in lower case.
    const typed = unlocked.unlockCode.toLowerCase().split('-');
    const entered = await json<{ state: string; serial: string; pendingActivation: unknown }>(
      ['key', 'unlock', ...typed],
      phonePc,
    );
    assert.deepEqual([entered.state, entered.serial, entered.pendingActivation], ['active', serial, null]);
    const licensed = await json<{ mode: string; online: boolean }>(['key', 'check'], phonePc);
    assert.deepEqual([licensed.mode, licensed.online], ['licensed', false]);
    const seats = await keyward(['key', 'status'], phonePc);
    assert.match(seats.stdout, /cad/);
    assert.match(seats.stdout, /exports/);

    // A second computer calling with the same serial is refused, like online.
    const otherPc = {
      ...phonePc,
      KEYWARD_HOME: join(root, 'phone-2'),
      KEYWARD_FINGERPRINT: 'kwfp1:machine=m-other;cpu=epyc;memory=32;network=cc:dd;host=lab',
    };
    const other = await json<{ code: string }>(['key', 'activate', '--offline', serial], otherPc);
    const refused = await keyward(
      ['admin', 'license', 'unlock', '--serial', serial, '--code', other.code, '--json'],
      env,
    );
    assert.equal(JSON.parse(refused.stderr).error.code, 'SERIAL_BOUND_ELSEWHERE');
    // This computer's Unlock Key does not open the other one.
    const foreign = await keyward(['key', 'unlock', unlocked.unlockCode, '--json'], otherPc);
    assert.equal(JSON.parse(foreign.stderr).error.code, 'SIGNATURE_INVALID');

    // Online at last: the transfer first checks in (the binding takes the container's keys), then releases.
    const online = { ...phonePc, KEYWARD_URL: env.KEYWARD_URL ?? '' };
    const transfer = await json<{ transfersUsed: number }>(['key', 'deactivate'], online);
    assert.equal(transfer.transfersUsed, 1);
    const onOther = await json<{ mode: string }>(['key', 'activate', serial], {
      ...otherPc,
      KEYWARD_URL: env.KEYWARD_URL ?? '',
    });
    assert.equal(onOther.mode, 'licensed');
  });

  it('walks a remote update: request file, update file, request code, activation code, online', async () => {
    await json(['admin', 'product', 'create', '--code', 'cam', '--name', 'CAM'], env);
    const policy = await json<{ id: string }>(
      [
        'admin',
        'policy',
        'create',
        '--product',
        'cam',
        '--name',
        'Seats',
        '--item',
        'cam.servers=1',
        '--item',
        'cam.nodes=10',
        '--counter',
        'exports=3',
      ],
      env,
    );
    const { licenses } = await json<{ licenses: Array<{ serial: string }> }>(
      ['admin', 'license', 'create', '--policy', policy.id],
      env,
    );
    const serial = licenses[0]?.serial ?? '';
    const sdkConfig = join(root, 'cam-sdk.json');
    await json(['admin', 'sdk-config', '--product', 'cam', '--out', sdkConfig], env);
    const pc = {
      ...env,
      KEYWARD_SDK_CONFIG: sdkConfig,
      KEYWARD_HOME: join(root, 'cam-pc'),
      KEYWARD_FINGERPRINT: 'cam-pc',
    };
    await json(['key', 'activate', serial], pc);

    const upload = join(root, 'KeyUpload.dat');
    const upgrade = join(root, 'KeyUpgrade.dat');
    await json(['key', 'request', '--out', upload], pc);
    const issued = await json<{ update: { toSequence: number } }>(
      [
        'admin',
        'update',
        'create',
        '--request',
        upload,
        '--add-seats',
        'cam.nodes=5',
        '--set-password',
        'admin=s3cret',
        '--write-memory',
        'note=hello',
        '--out',
        upgrade,
      ],
      env,
    );
    assert.equal(issued.update.toSequence, 1);
    const applied = await json<{
      toSequence: number;
      status: { contents: { items: { cam: { nodes: number } }; passwords: string[] } };
    }>(['key', 'apply', upgrade], pc);
    assert.equal(applied.status.contents.items.cam.nodes, 15);
    assert.deepEqual(applied.status.contents.passwords, ['admin']);
    const twice = await keyward(['key', 'apply', upgrade], pc);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /already applied/);

    const { requestCode } = await json<{ requestCode: string }>(['key', 'request', '--code'], pc);
    const byCode = await json<{ activationCode: string }>(
      [
        'admin',
        'update',
        'create',
        '--serial',
        serial,
        '--request-code',
        requestCode,
        '--set-counter',
        'exports=100',
      ],
      env,
    );
    const codeApplied = await json<{ status: { contents: { counters: { exports: number } } } }>(
      ['key', 'apply', '--code', byCode.activationCode],
      pc,
    );
    assert.equal(codeApplied.status.contents.counters.exports, 100);

    await json(['admin', 'update', 'create', '--license', serial, '--set-expiry', '2030-01-01'], env);
    const online = await json<{ applied: unknown[] }>(['key', 'update'], pc);
    assert.equal(online.applied.length, 1);
    const shown = await keyward(['key', 'status'], pc);
    assert.match(shown.stdout, /Update step\s+3/);
    assert.match(shown.stdout, /Items\s+cam: nodes 15, servers 1/);
    assert.match(shown.stdout, /Memory objects\s+note \(5 bytes\)/);
    assert.match(shown.stdout, /Expires\s+valid through 2030-01-01/);

    const history = await keyward(['admin', 'update', 'list', serial], env);
    assert.match(history.stdout, /Update step 3/);
  });

  it('prints a sentence and exits non-zero on every refusal', async () => {
    const noToken = await keyward(['admin', 'product', 'list'], { ...env, KEYWARD_TOKEN: 'kw_admin_wrong' });
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr, /A valid API token is required/);

    const typo = await keyward(
      ['key', 'activate', 'ABCDE-FGHJK-MNPQR-STVWX', '--fingerprint', 'pc-c', '--home', join(root, 'c')],
      env,
    );
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /SERIAL_INVALID/);

    const noConfig = await keyward(['key', 'status', '--sdk-config', join(root, 'missing.json')], env);
    assert.equal(noConfig.code, 1);
    assert.match(noConfig.stderr, /does not exist/);

    for (const [flag, value, message] of [
      ['--add-seats', 'nodes=5', /--add-seats takes item.kind=number/],
      ['--set-counter', 'exports=1.5', /--set-counter takes name=number/],
      ['--set-expiry', '2029-02-30', /"2029-02-30" is not a date/],
    ] as const) {
      const refused = await keyward(['admin', 'update', 'create', '--license', 'lic_x', flag, value], env);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, message);
    }

    const unreachable = await keyward(
      ['admin', 'product', 'list', '--url', 'http://127.0.0.1:9', '--json'],
      env,
    );
    assert.equal(unreachable.code, 1);
    assert.equal(
      (JSON.parse(unreachable.stderr) as { error: { code: string } }).error.code,
      'NETWORK_UNAVAILABLE',
    );
  });

  it('prints an expiry date as it was given, the last valid day, wherever it shows', async () => {
    await json(['admin', 'product', 'create', '--code', 'dated', '--name', 'Dated'], env);
    const policy = await json<{ id: string }>(
      ['admin', 'policy', 'create', '--product', 'dated', '--name', 'p'],
      env,
    );
    const created = await keyward(
      ['admin', 'license', 'create', '--policy', policy.id, '--expires', '2027-03-31'],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /valid through 2027-03-31 \(UTC\)/);
    assert.doesNotMatch(created.stdout, /2027-04-01/);
    const listed = await keyward(['admin', 'license', 'list', '--policy', policy.id], env);
    assert.match(listed.stdout, /valid through 2027-03-31 \(UTC\)/);
    assert.doesNotMatch(listed.stdout, /expires valid|2027-04-01/);
  });

  it('prints what came from the server with its control characters shown, never acted on', async () => {
    await json(['admin', 'product', 'create', '--code', 'escapes', '--name', 'Escapes'], env);
    const policy = await json<{ id: string }>(
      ['admin', 'policy', 'create', '--product', 'escapes', '--name', 'plain'],
      env,
    );
    const hostile = 'ACME\u001b]0;pwned\u0007\u001b[2J';
    const created = await json<{ licenses: { id: string }[] }>(
      ['admin', 'license', 'create', '--policy', policy.id, '--note', hostile],
      env,
    );
    const shown = await keyward(['admin', 'license', 'show', created.licenses[0]?.id ?? ''], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.ok(
      !shown.stdout.includes('\u001b') && !shown.stdout.includes('\u0007'),
      'no raw escape reaches the terminal',
    );
    assert.match(shown.stdout, /ACME\\u001b\]0;pwned\\u0007\\u001b\[2J/);
  });
});
