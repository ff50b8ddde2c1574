import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from '../config';
import { isAdmin, ManagersService } from '../managers';
import './session.types';

/** Thrown when a dashboard page needs a signed-in manager; answered with a redirect to login. */
export class LoginRequiredException extends HttpException {
  constructor() {
    super('Sign in to continue', HttpStatus.UNAUTHORIZED);
  }
}

/**
 * Puts the signed-in manager on `request.actor`, or sends the browser to
 * /dashboard/login. The idle timeout is the session cookie's rolling expiry
 * (enforced by the store); the absolute one is checked here.
 */
@Injectable()
export class DashboardAuthGuard implements CanActivate {
  constructor(
    private readonly managers: ManagersService,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const signedInAt = request.session?.signedInAt ?? 0;
    // Wall time, not the Clock: a session's life is its cookie's, which @fastify/session measures on the wall clock.
    if (request.session?.managerId && Date.now() - signedInAt > this.auth.sessionAbsoluteSeconds * 1000) {
      await request.session.destroy();
      throw new LoginRequiredException();
    }
    const managerId = request.session?.managerId;
    const actor = managerId ? await this.managers.findActor(managerId) : null;
    if (!actor) throw new LoginRequiredException();
    request.actor = actor;
    return true;
  }
}

@Injectable()
export class AdminOnlyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const actor = context.switchToHttp().getRequest<FastifyRequest>().actor;
    if (!actor || !isAdmin(actor)) throw new ForbiddenException('Only admins can see this page');
    return true;
  }
}
