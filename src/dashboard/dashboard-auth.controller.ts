import { Body, Controller, Get, HttpCode, NotFoundException, Post, Query, Redirect, Render, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DashboardExceptionFilter } from './dashboard-error';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AuditOrigin, Requester } from '../audit';
import { FirstAdminService, ManagerAccountsService, ManagersService } from '../managers';
import { LoginForm, SetupForm, parseForm } from './forms';
import { LoginAccountLimiter, LoginAddressLimiter } from './login-failure.limiters';
import { Page, PageContext } from './page.decorator';
import './session.types';

const SIGNED_IN_HOME = '/dashboard/api-keys';
const BAD_CREDENTIALS = 'Incorrect email or password';
const ACCOUNT_DISABLED = 'This account is disabled. Ask an admin to enable it again.';
const SETUP_LINK_INVALID = 'This setup link has been used or has expired';

@ApiExcludeController()
@Controller('dashboard')
@UseFilters(DashboardExceptionFilter)
export class DashboardAuthController {
  constructor(
    private readonly managers: ManagersService,
    private readonly accounts: ManagerAccountsService,
    private readonly firstAdmin: FirstAdminService,
    private readonly addressFailures: LoginAddressLimiter,
    private readonly accountFailures: LoginAccountLimiter,
  ) {}

  @Get()
  @Redirect(SIGNED_IN_HOME, 303)
  home(): void {}

  @Get('login')
  @Render('login')
  loginPage(@Page() page: PageContext): object {
    return { title: 'Sign in', page, setupOpen: this.firstAdmin.isSetupOpen() };
  }

  @Post('login')
  @HttpCode(200)
  async login(
    @Body() body: unknown,
    @Requester() origin: AuditOrigin,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const form = parseForm(LoginForm, body);
    const account = form.ok ? form.value.email.toLowerCase() : '';
    this.addressFailures.assertAllowed(request.ip);
    if (account) this.accountFailures.assertAllowed(account);
    const check = form.ok ? await this.managers.checkSignIn(form.value.email, form.value.password) : null;
    const actor = check?.ok && !check.disabled ? check.account : null;
    if (form.ok) await this.accounts.recordSignIn(form.value.email, check?.account ?? null, actor !== null, origin);
    if (!actor) {
      if (!check?.disabled) {
        // Counted for every instance; past either shared limit this failure answers 429.
        await Promise.all([this.addressFailures.fail(request.ip), account ? this.accountFailures.fail(account) : undefined]);
      }
      const email = form.ok ? form.value.email : '';
      await reply.status(check?.disabled ? 403 : 401).view('login', {
        title: 'Sign in',
        page: { actor: null, csrfToken: reply.generateCsrf(), notice: null },
        email,
        error: check?.disabled ? ACCOUNT_DISABLED : BAD_CREDENTIALS,
        setupOpen: this.firstAdmin.isSetupOpen(),
      });
      return;
    }
    await this.signIn(request, actor.id);
    await reply.status(303).redirect(SIGNED_IN_HOME);
  }

  @Post('logout')
  async logout(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await request.session.destroy();
    await reply.status(303).redirect('/dashboard/login');
  }

  @Get('setup')
  async setupPage(
    @Query('token') token: unknown,
    @Page() page: PageContext,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!this.firstAdmin.checkToken(token)) {
      await reply.status(404).view('error', {
        title: 'Setup link not valid',
        error: { statusCode: 404, error: 'Not Found', message: 'This setup link has been used or has expired.' },
      });
      return;
    }
    await reply.view('setup', { title: 'Create the first admin', page, token });
  }

  @Post('setup')
  async setup(@Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const form = parseForm(SetupForm, body);
    if (!form.ok) {
      const token = (body as { token?: unknown } | null)?.token;
      if (!this.firstAdmin.checkToken(token)) throw new NotFoundException(SETUP_LINK_INVALID);
      await reply.status(400).view('setup', {
        title: 'Create the first admin',
        page: { actor: null, csrfToken: reply.generateCsrf(), notice: null },
        token,
        email: (body as { email?: unknown }).email,
        errors: form.errors,
      });
      return;
    }
    const { token, email, password } = form.value;
    if (!(await this.firstAdmin.completeSetup(token, email, password))) throw new NotFoundException(SETUP_LINK_INVALID);
    const actor = await this.managers.verifyCredentials(email, password);
    if (actor) await this.signIn(request, actor.id);
    await reply.status(303).redirect(SIGNED_IN_HOME);
  }

  /** A fresh session id at sign-in defeats session fixation. */
  async signIn(request: FastifyRequest, managerId: string): Promise<void> {
    await request.session.regenerate();
    request.session.managerId = managerId;
    request.session.signedInAt = Date.now();
  }
}
